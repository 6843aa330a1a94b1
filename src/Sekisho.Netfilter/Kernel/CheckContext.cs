using System.Collections.Immutable;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Kernel;

/// <summary>What a match or target check sees when the kernel accepts a table.</summary>
/// <remarks>The kernel's <c>struct xt_mtchk_param</c>/<c>xt_tgchk_param</c>.</remarks>
public sealed class CheckContext
{
    /// <summary>Creates a context.</summary>
    /// <param name="table">The table name.</param>
    /// <param name="hooks">The hooks the rule is reachable from.</param>
    /// <param name="ip">The IP part of the rule.</param>
    /// <param name="log">The kernel log.</param>
    /// <param name="matches">The rule's matches (what a target's check may walk).</param>
    /// <param name="current">The tables the kernel holds while checking, when known.</param>
    /// <param name="checkedMatches">The matches of the new table already accepted.</param>
    public CheckContext(string table, HookMask hooks, IpHeaderMatch ip, IKernelLog log,
        ImmutableArray<MatchInfo> matches = default, Ruleset? current = null,
        IReadOnlyList<MatchInfo>? checkedMatches = null)
    {
        Table = table;
        Hooks = hooks;
        Ip = ip;
        Matches = matches.IsDefault ? ImmutableArray<MatchInfo>.Empty : matches;
        Log = log;
        Current = current;
        CheckedMatches = checkedMatches ?? [];
    }

    /// <summary>The table name.</summary>
    public string Table { get; }

    /// <summary>The hooks from which the rule can be reached (<c>comefrom</c>); 0 for unreachable chains.</summary>
    public HookMask Hooks { get; private set; }

    /// <summary>The IP part of the rule.</summary>
    public IpHeaderMatch Ip { get; private set; }

    /// <summary>
    /// The matches of the rule, in order: what a target's check sees when it walks the entry's matches
    /// (<c>xt_ematch_foreach</c>), as TCPMSS does to look for a SYN test.
    /// </summary>
    public ImmutableArray<MatchInfo> Matches { get; private set; }

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

    /// <summary>
    /// Points this context at the next rule of the same check (the table's validation checks a hundred thousand rules
    /// with one context; no check keeps it beyond its call).
    /// </summary>
    internal CheckContext ForRule(HookMask hooks, IpHeaderMatch ip, ImmutableArray<MatchInfo> matches)
    {
        Hooks = hooks;
        Ip = ip;
        Matches = matches.IsDefault ? ImmutableArray<MatchInfo>.Empty : matches;
        return this;
    }
}
