using BenchmarkDotNet.Attributes;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;

namespace Sekisho.Benchmarks;

/// <summary>
/// The baselines of <see cref="ClassifierBenchmarks"/> on the same sets and traffic: a brute-force first match over
/// the boxes, and the filter table's linear walk (the reference evaluator, <c>ipt_do_table</c>'s shape). Only the
/// 1k and 10k sets: at 100k rules one batch of the linear walk takes seconds.
/// </summary>
[MemoryDiagnoser]
public class ClassifierLinearBenchmarks
{
    private const int Batch = 512;

    private ClassBenchSet _set = null!;
    private PacketKey[] _traffic = [];
    private ClassBenchEngine _engine = null!;

    /// <summary>The ClassBench set.</summary>
    [Params("acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k", "fw1_10k", "ipc1_10k")]
    public string Set { get; set; } = "acl1_1k";

    [GlobalSetup]
    public void Setup()
    {
        _set = ClassBenchSet.Load(Set);
        _traffic = _set.Traffic(ClassifierBenchmarks.Batch, 7)[..Batch];
        _engine = new ClassBenchEngine(_set.FilterTable(), ClassifierMode.Linear, _traffic.Select(k => ClassBenchSet.Datagram(k)));
    }

    /// <summary>The first matching box by brute force.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int LinearLookup()
    {
        int sum = 0;
        foreach (var key in _traffic)
        {
            sum += _set.LinearFirstMatch(key);
        }

        return sum;
    }

    /// <summary>The filter table's FORWARD chain walked entry by entry.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public uint LinearTable() => _engine.Run(Hook.Forward, Batch);
}
