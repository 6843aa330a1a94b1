using System.Collections.Frozen;

namespace Sekisho.Netfilter.Model;

/// <summary>A built-in table of iptables: its name, hooks, priority and built-in chains.</summary>
/// <remarks>
/// The legacy IPv4 tables registered by <c>iptable_filter</c>, <c>iptable_nat</c>, <c>iptable_mangle</c>,
/// <c>iptable_raw</c> and <c>iptable_security</c>, with the priorities of <c>enum nf_ip_hook_priorities</c>.
/// </remarks>
public sealed class TableDefinition
{
    private static readonly string[] s_hookChainNames = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

    private TableDefinition(string name, HookMask hooks, int priority)
    {
        Name = name;
        Hooks = hooks;
        Priority = priority;
        var chains = new List<string>();
        for (int hook = 0; hook < 5; hook++)
        {
            if ((hooks & (HookMask)(1 << hook)) != 0)
            {
                chains.Add(s_hookChainNames[hook]);
            }
        }

        BuiltinChains = chains.ToArray();
    }

    /// <summary>The filter table.</summary>
    public static TableDefinition Filter { get; } = new("filter", HookMask.LocalIn | HookMask.Forward | HookMask.LocalOut, 0);

    /// <summary>The nat table.</summary>
    public static TableDefinition Nat { get; } = new("nat", HookMask.PreRouting | HookMask.LocalIn | HookMask.LocalOut | HookMask.PostRouting, -100);

    /// <summary>The mangle table.</summary>
    public static TableDefinition Mangle { get; } = new("mangle", HookMask.All, -150);

    /// <summary>The raw table.</summary>
    public static TableDefinition Raw { get; } = new("raw", HookMask.PreRouting | HookMask.LocalOut, -300);

    /// <summary>The security table.</summary>
    public static TableDefinition Security { get; } = new("security", HookMask.LocalIn | HookMask.Forward | HookMask.LocalOut, 50);

    /// <summary>All tables, by name.</summary>
    public static FrozenDictionary<string, TableDefinition> All { get; } = new[] { Filter, Nat, Mangle, Raw, Security }
        .ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The table name.</summary>
    public string Name { get; }

    /// <summary>The hooks the table is attached to.</summary>
    public HookMask Hooks { get; }

    /// <summary>The hook priority (lower runs first; nat uses -100 for DNAT hooks and 100 for SNAT hooks).</summary>
    public int Priority { get; }

    /// <summary>The built-in chains, in hook order.</summary>
    public IReadOnlyList<string> BuiltinChains { get; }

    /// <summary>The name of the built-in chain of a hook.</summary>
    public static string ChainNameOf(Hook hook) => s_hookChainNames[(int)hook];

    /// <summary>The hook of a built-in chain name, or null.</summary>
    public static Hook? HookOf(string chainName)
    {
        int index = Array.IndexOf(s_hookChainNames, chainName);
        return index < 0 ? null : (Hook)index;
    }

    /// <summary>Looks a table up by name.</summary>
    public static TableDefinition? Find(string name) => All.GetValueOrDefault(name);
}
