using Sekisho.Packets;

namespace Sekisho.Netfilter.Syntax;

/// <summary>The value a typed option was parsed into.</summary>
/// <remarks>The union <c>xt_option_call.val</c> of libxtables, flattened.</remarks>
public sealed class OptionValue
{
    /// <summary>Integer value (UInt8..UInt64).</summary>
    public ulong Number { get; set; }

    /// <summary>Range components (UInt*Range, PortRange).</summary>
    public ulong[] Range => field ??= new ulong[2];

    /// <summary>Number of range components given (<c>nvals</c>).</summary>
    public int Count { get; set; }

    /// <summary>Floating point value.</summary>
    public double Double { get; set; }

    /// <summary>TOS value.</summary>
    public byte TosValue { get; set; }

    /// <summary>TOS mask.</summary>
    public byte TosMask { get; set; }

    /// <summary>Mark value.</summary>
    public uint Mark { get; set; }

    /// <summary>Mark mask.</summary>
    public uint Mask { get; set; }

    /// <summary>Syslog level.</summary>
    public byte SyslogLevel { get; set; }

    /// <summary>Host address.</summary>
    public Ipv4Address HostAddress { get; set; }

    /// <summary>Host mask.</summary>
    public Ipv4Address HostMask { get; set; } = Ipv4Address.Broadcast;

    /// <summary>
    /// Whether the bytes of <c>hmask</c> after the IPv4 mask are all ones (a bare host, or a mask that is not a
    /// prefix) rather than zeros (a prefix length). The kernel's <c>union nf_inet_addr</c> holds them, and
    /// libiptc compares them.
    /// </summary>
    public bool HostMaskPadded { get; set; } = true;

    /// <summary>Prefix length.</summary>
    public int HostLength { get; set; }

    /// <summary>Protocol number.</summary>
    public byte Protocol { get; set; }

    /// <summary>Port.</summary>
    public ushort Port { get; set; }

    /// <summary>MAC address.</summary>
    public byte[] EtherMac => field ??= new byte[6];
}
