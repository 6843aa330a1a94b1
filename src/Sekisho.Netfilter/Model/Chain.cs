namespace Sekisho.Netfilter.Model;

/// <summary>A chain: built-in (with a policy and policy counters) or user-defined.</summary>
public sealed class Chain
{
    /// <summary>Creates a built-in chain with a policy.</summary>
    public Chain(string name, Verdict policy, CounterCell? policyCounters = null)
    {
        Name = name;
        Policy = policy;
        PolicyCounters = policyCounters ?? new CounterCell();
    }

    /// <summary>Creates a user-defined chain.</summary>
    public Chain(string name)
    {
        Name = name;
        PolicyCounters = new CounterCell();
    }

    /// <summary>The chain name.</summary>
    public string Name { get; set; }

    /// <summary>The policy of a built-in chain (ACCEPT or DROP); null for user-defined chains.</summary>
    public Verdict? Policy { get; set; }

    /// <summary>Whether the chain is built in.</summary>
    public bool IsBuiltin => Policy.HasValue;

    /// <summary>Counts of packets that met the policy (built-in chains only).</summary>
    public CounterCell PolicyCounters { get; set; }

    /// <summary>The rules, in order.</summary>
    public List<Rule> Rules { get; } = [];

    /// <summary>A copy with its own rule list (rules and counter cells shared).</summary>
    public Chain Clone()
    {
        var copy = Policy is { } policy ? new Chain(Name, policy, PolicyCounters) : new Chain(Name);
        copy.Rules.AddRange(Rules);
        return copy;
    }
}
