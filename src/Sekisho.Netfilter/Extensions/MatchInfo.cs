using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Extensions;

/// <summary>One match of a rule: its options, how iptables prints and saves them, and the kernel's checks.</summary>
/// <remarks>
/// Each match is an immutable record whose fields are the kernel structure of the revision iptables 1.8.9
/// selects (<c>struct xt_tcp</c>, <c>struct xt_conntrack_mtinfo3</c>, ...), minus kernel-private state. Record
/// equality is libiptc's rule comparison for <c>-D</c> and <c>-C</c>. Printing follows the extension's
/// <c>print()</c> (for <c>-L</c>) and <c>save()</c> (for <c>-S</c> and iptables-save): every fragment brings
/// its own leading space.
/// </remarks>
public abstract record MatchInfo
{
    /// <summary>The kernel module: name, revision and the generic restrictions.</summary>
    public abstract XtModule Module { get; }

    /// <summary>The kernel name of the match (<c>u.user.name</c>).</summary>
    public string Name => Module.Name;

    /// <summary>The name printed after <c>-m</c> when saving (the extension's <c>alias()</c>).</summary>
    public virtual string SaveName => Module.Name;

    /// <summary>Appends the <c>-L</c> form (the extension's <c>print()</c>).</summary>
    public abstract void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context);

    /// <summary>Appends the save form after <c>-m name</c> (the extension's <c>save()</c>).</summary>
    public abstract void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context);

    /// <summary>
    /// The extension's own <c>checkentry()</c>: 0 when the kernel accepts the options, otherwise the error
    /// number, after logging the reason to <see cref="CheckContext.Log"/>.
    /// </summary>
    public virtual int CheckEntry(CheckContext context) => Errno.Ok;

    /// <summary>
    /// The match as the kernel keeps it once <see cref="CheckEntry"/> has accepted it: checkentry functions may
    /// rewrite the user-visible part of their data (xt_hashlimit caps its table sizes), which listings then show
    /// and rule comparisons then see.
    /// </summary>
    public virtual MatchInfo Stored => this;

    /// <summary>Whether the match needs connection tracking (its checkentry calls <c>nf_ct_netns_get</c>).</summary>
    public virtual bool UsesConntrack => false;

    /// <summary>
    /// Whether the packet matches (the extension's <c>match()</c>). <paramref name="state"/> is what
    /// <see cref="CreateState"/> made for this rule. Never throws; a packet too short for the match sets
    /// <see cref="PacketContext.HotDrop"/> where the kernel does.
    /// </summary>
    public abstract bool Match(PacketContext context, object? state);

    /// <summary>
    /// The runtime state of one rule's match (what checkentry allocates: a rate limiter's credit, a reference to a
    /// named list), created each time the table is loaded, as each table replacement does in the kernel.
    /// </summary>
    public virtual object? CreateState(NetNamespace net) => null;

    /// <summary>Releases what <see cref="CreateState"/> made (the extension's <c>destroy()</c>).</summary>
    public virtual void DestroyState(NetNamespace net, object? state)
    {
    }
}
