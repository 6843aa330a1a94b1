using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Kernel;

/// <summary>What a match or target check sees when the kernel accepts a table.</summary>
/// <remarks>The kernel's <c>struct xt_mtchk_param</c>/<c>xt_tgchk_param</c>.</remarks>
public sealed class CheckContext
{
    /// <summary>Creates a context.</summary>
    public CheckContext(string table, HookMask hooks, IpHeaderMatch ip, IKernelLog log,
        Ruleset? current = null, IReadOnlyList<MatchInfo>? checkedMatches = null)
    {
        Table = table;
        Hooks = hooks;
        Ip = ip;
        Log = log;
        Current = current;
        CheckedMatches = checkedMatches ?? [];
    }

    /// <summary>The table name.</summary>
    public string Table { get; }

    /// <summary>The hooks from which the rule can be reached (<c>comefrom</c>); 0 for unreachable chains.</summary>
    public HookMask Hooks { get; }

    /// <summary>The IP part of the rule.</summary>
    public IpHeaderMatch Ip { get; }

    /// <summary>The kernel log, for the explanation of a refusal.</summary>
    public IKernelLog Log { get; }

    /// <summary>
    /// The tables as the kernel holds them while the new table is checked (the old version of the table being
    /// replaced included), or null when unknown.
    /// </summary>
    /// <remarks>
    /// Some checkentry functions consult state that lives as long as any rule refers to it, in whatever table:
    /// xt_hashlimit's named hash tables, for instance, keep the mode of the rule that created them.
    /// </remarks>
    public Ruleset? Current { get; }

    /// <summary>The matches of the new table that the kernel has already accepted, in the order it checked them.</summary>
    public IReadOnlyList<MatchInfo> CheckedMatches { get; }
}
