using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Extensions;

/// <summary>The target of a rule: a standard verdict, a jump to a chain, or a target extension.</summary>
/// <remarks>
/// Like <see cref="MatchInfo"/>, an immutable record of the kernel structure of the selected revision, with
/// record equality serving libiptc's rule comparison.
/// </remarks>
public abstract record TargetInfo
{
    /// <summary>The kernel module: name, revision and the generic restrictions (null for standard targets).</summary>
    public abstract XtModule? Module { get; }

    /// <summary>
    /// The target name as listings show it in the target column (<c>iptc_get_target</c>): the kernel name of an
    /// extension, the verdict or the chain name of a standard target.
    /// </summary>
    public abstract string Name { get; }

    /// <summary>The name printed after <c>-j</c> when saving (the extension's <c>alias()</c>).</summary>
    public virtual string SaveName => Name;

    /// <summary>Appends the <c>-L</c> form (the extension's <c>print()</c>).</summary>
    public abstract void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context);

    /// <summary>Appends the save form after <c>-j name</c> (the extension's <c>save()</c>).</summary>
    public abstract void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context);

    /// <summary>The extension's own <c>checkentry()</c>: 0 or an error number, logging the reason.</summary>
    public virtual int CheckEntry(CheckContext context) => Errno.Ok;

    /// <summary>Whether the target needs connection tracking (its checkentry calls <c>nf_ct_netns_get</c>).</summary>
    public virtual bool UsesConntrack => false;

    /// <summary>
    /// Carries out the target on the packet (the extension's <c>target()</c>) and returns its verdict:
    /// <see cref="NfVerdict.Continue"/> to go on with the next rule, or <see cref="NfVerdict.Accept"/>,
    /// <see cref="NfVerdict.Drop"/>, <see cref="NfVerdict.Stolen"/>. Standard targets never get here: the
    /// evaluator carries them out itself.
    /// </summary>
    public abstract uint Execute(PacketContext context, object? state);

    /// <summary>The runtime state of one rule's target, created each time the table is loaded.</summary>
    public virtual object? CreateState(NetNamespace net) => null;

    /// <summary>Releases what <see cref="CreateState"/> made.</summary>
    public virtual void DestroyState(NetNamespace net, object? state)
    {
    }
}
