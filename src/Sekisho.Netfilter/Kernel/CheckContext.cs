using System.Collections.Immutable;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Kernel;

/// <summary>What a match or target check sees when the kernel accepts a table.</summary>
/// <remarks>The kernel's <c>struct xt_mtchk_param</c>/<c>xt_tgchk_param</c>.</remarks>
public sealed class CheckContext
{
    /// <summary>Creates a context.</summary>
    public CheckContext(string table, HookMask hooks, IpHeaderMatch ip, IKernelLog log)
        : this(table, hooks, ip, ImmutableArray<MatchInfo>.Empty, log)
    {
    }

    /// <summary>Creates a context that also shows the rule's matches (<c>entryinfo</c>).</summary>
    public CheckContext(string table, HookMask hooks, IpHeaderMatch ip, ImmutableArray<MatchInfo> matches, IKernelLog log)
    {
        Table = table;
        Hooks = hooks;
        Ip = ip;
        Matches = matches;
        Log = log;
    }

    /// <summary>The table name.</summary>
    public string Table { get; }

    /// <summary>The hooks from which the rule can be reached (<c>comefrom</c>); 0 for unreachable chains.</summary>
    public HookMask Hooks { get; }

    /// <summary>The IP part of the rule.</summary>
    public IpHeaderMatch Ip { get; }

    /// <summary>
    /// The matches of the rule, in order: what a target's check sees when it walks the entry's matches
    /// (<c>xt_ematch_foreach</c>), as TCPMSS does to look for a SYN test.
    /// </summary>
    public ImmutableArray<MatchInfo> Matches { get; }

    /// <summary>The kernel log, for the explanation of a refusal.</summary>
    public IKernelLog Log { get; }
}
