using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Syntax;

/// <summary>The part of the rule parsed so far that extensions may look at (iptables passes them the entry).</summary>
/// <remarks>
/// iptables hands extensions a pointer to the <c>ipt_entry</c> under construction: its protocol and inversion
/// flags are those set by options that came earlier on the command line.
/// </remarks>
public sealed class EntryContext
{
    /// <summary>The layer-4 protocol given with <c>-p</c> so far (0: any).</summary>
    public byte Protocol { get; set; }

    /// <summary>Inversion flags of the IP part so far.</summary>
    public IpInvFlags InvFlags { get; set; }
}
