using BenchmarkDotNet.Attributes;
using Sekisho.Netfilter.Classifier;

namespace Sekisho.Benchmarks;

/// <summary>
/// Building the classifier of a ClassBench set, and updating a built one: one rule inserted between two others
/// (gapped priorities) and deleted again, per operation.
/// </summary>
[MemoryDiagnoser]
public class ClassifierUpdateBenchmarks
{
    private const int Updates = 1024;

    private RuleBox[] _boxes = [];
    private RuleBox[] _extra = [];
    private TupleClassifier _classifier = null!;

    /// <summary>The ClassBench set.</summary>
    [Params("acl1_10k", "fw1_10k", "ipc1_10k", "acl1_100k", "fw1_100k", "ipc1_100k")]
    public string Set { get; set; } = "acl1_10k";

    [GlobalSetup]
    public void Setup()
    {
        var set = ClassBenchSet.Load(Set);
        _boxes = set.Boxes.Select(b => b with { Priority = b.Priority * 1024 }).ToArray();
        _classifier = TupleClassifier.Build(_boxes);
        var random = new Random(3);
        _extra = Enumerable.Range(0, Updates * 2).Select(_ =>
        {
            var box = set.Boxes[random.Next(set.Boxes.Length)];
            box.Priority = random.Next(set.Boxes.Length) * 1024 + 512;
            return box;
        }).DistinctBy(b => b.Priority).Take(Updates).ToArray();
    }

    /// <summary>A whole build.</summary>
    [Benchmark]
    public int Build() => TupleClassifier.Build(_boxes).TableCount;

    /// <summary>One insert and one delete of a rule.</summary>
    [Benchmark(OperationsPerInvoke = Updates)]
    public int InsertDelete()
    {
        foreach (var box in _extra)
        {
            _classifier.Insert(box);
        }

        int removed = 0;
        foreach (var box in _extra)
        {
            removed += _classifier.Remove(box) ? 1 : 0;
        }

        return removed;
    }
}
