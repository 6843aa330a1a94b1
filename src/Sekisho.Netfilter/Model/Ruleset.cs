namespace Sekisho.Netfilter.Model;

/// <summary>All tables the "kernel" has instantiated, in the order they came into being.</summary>
/// <remarks>
/// The kernel creates a table in a network namespace the first time it is used and lists the newest first in
/// <c>/proc/net/ip_tables_names</c>, which is the order iptables-save prints them in.
/// </remarks>
public sealed class Ruleset
{
    private readonly List<Table> _tables = [];

    /// <summary>Tables, oldest first.</summary>
    public IReadOnlyList<Table> Tables => _tables;

    /// <summary>Tables in <c>/proc/net/ip_tables_names</c> order: newest first.</summary>
    public IEnumerable<Table> TablesNewestFirst
    {
        get
        {
            for (int i = _tables.Count - 1; i >= 0; i--)
            {
                yield return _tables[i];
            }
        }
    }

    /// <summary>Looks an instantiated table up.</summary>
    public Table? Find(string name) => _tables.Find(t => t.Name == name);

    /// <summary>The table, instantiating it (empty, policies ACCEPT) on first use; null when no such table exists.</summary>
    public Table? GetOrCreate(string name)
    {
        if (Find(name) is { } existing)
        {
            return existing;
        }

        if (TableDefinition.Find(name) is not { } definition)
        {
            return null;
        }

        var table = new Table(definition);
        _tables.Add(table);
        return table;
    }

    /// <summary>Replaces an instantiated table (or appends it) with a new version.</summary>
    public void Replace(Table table)
    {
        int index = _tables.FindIndex(t => t.Name == table.Name);
        if (index >= 0)
        {
            _tables[index] = table;
        }
        else
        {
            _tables.Add(table);
        }
    }

    /// <summary>A copy with its own tables, chains and rule lists.</summary>
    public Ruleset Clone()
    {
        var copy = new Ruleset();
        foreach (var table in _tables)
        {
            copy._tables.Add(table.Clone());
        }

        return copy;
    }
}
