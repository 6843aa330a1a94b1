using BenchmarkDotNet.Attributes;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;

namespace Sekisho.Benchmarks;

/// <summary>
/// The compiled classifier on the ClassBench sets: the lookup alone on 5-tuples (comparable to TupleMerge's and
/// DPDK ACL's numbers) and the whole filter table (<c>CompiledTable.Run</c> through <c>NetNamespace.Evaluate</c>
/// of FORWARD), with the linear walk of the same packets as the baseline where it finishes in reasonable time
/// (1k and 10k rules; <see cref="ClassifierLinearBenchmarks"/>).
/// </summary>
/// <remarks>
/// Traffic is ClassBench style: each packet a uniform random point of a uniformly chosen rule's box, generated
/// before the measurement. Each invocation classifies <see cref="Batch"/> packets; times are per packet.
/// </remarks>
[MemoryDiagnoser]
public class ClassifierBenchmarks
{
    internal const int Batch = 4096;

    private TupleClassifier _classifier = null!;
    private PacketKey[] _traffic = [];
    private ClassBenchEngine _engine = null!;

    /// <summary>The ClassBench set.</summary>
    [Params("acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k", "fw1_10k", "ipc1_10k", "acl1_100k", "fw1_100k", "ipc1_100k")]
    public string Set { get; set; } = "acl1_1k";

    [GlobalSetup]
    public void Setup()
    {
        var set = ClassBenchSet.Load(Set);
        _classifier = TupleClassifier.Build(set.Boxes);
        _traffic = set.Traffic(Batch, 7);
        _engine = new ClassBenchEngine(set.FilterTable(), ClassifierMode.Auto, _traffic.Select(k => ClassBenchSet.Datagram(k)));
        Console.WriteLine($"// {Set}: {set.Boxes.Length} rules, {_classifier.TableCount} tables, classifier {_classifier.MemoryBytes} bytes, " +
            $"filter table's classifier {_engine.Net.Tables["filter"].ClassifierBytes} bytes");
    }

    /// <summary>The classifier's lookup of a 5-tuple: the first rule whose box holds it.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Lookup()
    {
        int sum = 0;
        foreach (var key in _traffic)
        {
            sum += _classifier.FirstCandidate(key, 0);
        }

        return sum;
    }

    /// <summary>The filter table's FORWARD walk through the classifier, with exact checks, counters and verdicts.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public uint Table() => _engine.Run(Hook.Forward, Batch);
}
