using BenchmarkDotNet.Attributes;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Model;

namespace Sekisho.Benchmarks;

/// <summary>
/// New connections through a kube-proxy style nat table (PREROUTING: KUBE-SERVICES, KUBE-SVC statistic jumps,
/// KUBE-SEP DNAT) with conntrack, through the classifier and through the linear walk (the baseline).
/// </summary>
/// <remarks>Each invocation sends <see cref="Batch"/> SYNs of new connections, then flushes conntrack; times are per packet.</remarks>
[MemoryDiagnoser]
public class KubeProxyClassifierBenchmarks
{
    private const int Batch = 1024;

    private ClassBenchEngine _classified = null!;
    private ClassBenchEngine _linear = null!;

    /// <summary>The number of Services.</summary>
    [Params(1_000, 5_000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rules = new KubeProxyRuleset(Services, 5);
        _classified = new ClassBenchEngine(rules.Text, ClassifierMode.Auto, rules.Connections(Batch, 9));
        _linear = new ClassBenchEngine(rules.Text, ClassifierMode.Linear, rules.Connections(Batch, 9));
        if (_classified.RunNew(Hook.PreRouting) != _linear.RunNew(Hook.PreRouting))
        {
            throw new InvalidOperationException("The classifier and the linear walk disagree on the kube-proxy ruleset.");
        }
    }

    /// <summary>The linear walk of the nat table.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public uint Linear() => _linear.RunNew(Hook.PreRouting);

    /// <summary>The walk through the classifier.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public uint Classified() => _classified.RunNew(Hook.PreRouting);
}
