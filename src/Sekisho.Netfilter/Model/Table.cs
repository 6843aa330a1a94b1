namespace Sekisho.Netfilter.Model;

/// <summary>A table: its built-in chains in hook order, then its user-defined chains sorted by name.</summary>
/// <remarks>The chain order is libiptc's, which is the order <c>-L</c>, <c>-S</c> and iptables-save print.</remarks>
public sealed class Table
{
    private readonly List<Chain> _chains = [];
    private readonly Dictionary<string, Chain> _byName = new(StringComparer.Ordinal);

    /// <summary>Creates a table with its built-in chains, policies ACCEPT.</summary>
    public Table(TableDefinition definition)
    {
        Definition = definition;
        foreach (string name in definition.BuiltinChains)
        {
            var chain = new Chain(name, Verdict.Accept);
            _chains.Add(chain);
            _byName.Add(name, chain);
        }
    }

    private Table(TableDefinition definition, IEnumerable<Chain> chains)
    {
        Definition = definition;
        foreach (var chain in chains)
        {
            _chains.Add(chain);
            _byName.Add(chain.Name, chain);
        }
    }

    /// <summary>The table's definition.</summary>
    public TableDefinition Definition { get; }

    /// <summary>The table name.</summary>
    public string Name => Definition.Name;

    /// <summary>All chains in listing order.</summary>
    public IReadOnlyList<Chain> Chains => _chains;

    /// <summary>Looks a chain up by name.</summary>
    public Chain? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>Adds a user-defined chain in name order (the caller has checked the name is free).</summary>
    public Chain AddUserChain(string name)
    {
        var chain = new Chain(name);
        InsertSorted(chain);
        return chain;
    }

    /// <summary>Removes a user-defined chain.</summary>
    public void RemoveChain(Chain chain)
    {
        _chains.Remove(chain);
        _byName.Remove(chain.Name);
    }

    /// <summary>Renames a user-defined chain, keeping the name order.</summary>
    public void RenameChain(Chain chain, string newName)
    {
        RemoveChain(chain);
        chain.Name = newName;
        InsertSorted(chain);
    }

    /// <summary>A copy with its own chain and rule lists (rules and counter cells shared).</summary>
    public Table Clone() => new(Definition, _chains.Select(c => c.Clone()));

    /// <summary>The number of rules in all chains that jump or go to <paramref name="chainName"/>.</summary>
    public int CountReferences(string chainName)
    {
        int count = 0;
        foreach (var chain in _chains)
        {
            foreach (var rule in chain.Rules)
            {
                if (rule.Target is Extensions.JumpTarget jump && jump.Chain == chainName)
                {
                    count++;
                }
            }
        }

        return count;
    }

    private void InsertSorted(Chain chain)
    {
        int builtins = Definition.BuiltinChains.Count;
        int index = builtins;
        while (index < _chains.Count && string.CompareOrdinal(_chains[index].Name, chain.Name) < 0)
        {
            index++;
        }

        _chains.Insert(index, chain);
        _byName.Add(chain.Name, chain);
    }
}
