namespace Sekisho.Netfilter.Classifier;

/// <summary>When a compiled table walks a chain through its classifier rather than entry by entry.</summary>
public enum ClassifierMode : byte
{
    /// <summary>Chains of at least <see cref="ChainIndex.AutoThreshold"/> rules use the classifier; shorter ones the linear walk.</summary>
    Auto,

    /// <summary>Always the linear walk: the reference evaluator, <c>ipt_do_table</c> as the kernel runs it.</summary>
    Linear,

    /// <summary>Every chain with a rule uses the classifier (for the equivalence tests).</summary>
    Always,
}
