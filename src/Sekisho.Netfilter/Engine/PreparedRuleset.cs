using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Engine;

/// <summary>A ruleset compiled by <see cref="NetNamespace.Prepare"/>, waiting to be switched to.</summary>
public sealed class PreparedRuleset
{
    internal PreparedRuleset(Ruleset ruleset, Dictionary<string, CompiledTable> tables,
        Dictionary<string, CompiledTable> previous, List<Action> atSwitch)
    {
        Ruleset = ruleset;
        Tables = tables;
        Previous = previous;
        AtSwitch = atSwitch;
    }

    /// <summary>The ruleset.</summary>
    public Ruleset Ruleset { get; }

    /// <summary>Its compiled tables by name.</summary>
    public IReadOnlyDictionary<string, CompiledTable> CompiledTables => Tables;

    internal Dictionary<string, CompiledTable> Tables { get; }

    // The namespace's tables when this was compiled: the ones it took classifiers over from.
    internal Dictionary<string, CompiledTable> Previous { get; }

    internal List<Action> AtSwitch { get; }
}
