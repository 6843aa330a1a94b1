using Sekisho.Packets;

namespace Sekisho.Netfilter.Model;

/// <summary>The IP part of a rule: addresses, interfaces, protocol, fragment flag.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_ip</c>. The addresses are stored already masked, as iptables stores them.
/// </remarks>
public readonly record struct IpHeaderMatch
{
    /// <summary>Source address (<c>-s</c>), masked.</summary>
    public Ipv4Address Source { get; init; }

    /// <summary>Source mask; 0.0.0.0 when <c>-s</c> was not given.</summary>
    public Ipv4Address SourceMask { get; init; }

    /// <summary>Destination address (<c>-d</c>), masked.</summary>
    public Ipv4Address Destination { get; init; }

    /// <summary>Destination mask; 0.0.0.0 when <c>-d</c> was not given.</summary>
    public Ipv4Address DestinationMask { get; init; }

    /// <summary>Input interface (<c>-i</c>).</summary>
    public InterfaceName InInterface { get; init; }

    /// <summary>Output interface (<c>-o</c>).</summary>
    public InterfaceName OutInterface { get; init; }

    /// <summary>Protocol number (<c>-p</c>); 0 is any.</summary>
    public byte Protocol { get; init; }

    /// <summary>Fragment and goto flags.</summary>
    public IpFlags Flags { get; init; }

    /// <summary>Inversions.</summary>
    public IpInvFlags InvFlags { get; init; }
}
