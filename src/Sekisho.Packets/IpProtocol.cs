namespace Sekisho.Packets;

/// <summary>IP protocol numbers used by netfilter's matches and conntrack.</summary>
/// <remarks>IANA "Assigned Internet Protocol Numbers".</remarks>
public static class IpProtocol
{
    /// <summary>ICMP.</summary>
    public const byte Icmp = 1;

    /// <summary>IGMP.</summary>
    public const byte Igmp = 2;

    /// <summary>TCP.</summary>
    public const byte Tcp = 6;

    /// <summary>UDP.</summary>
    public const byte Udp = 17;

    /// <summary>DCCP.</summary>
    public const byte Dccp = 33;

    /// <summary>GRE.</summary>
    public const byte Gre = 47;

    /// <summary>ESP.</summary>
    public const byte Esp = 50;

    /// <summary>AH.</summary>
    public const byte Ah = 51;

    /// <summary>SCTP.</summary>
    public const byte Sctp = 132;

    /// <summary>UDP-Lite.</summary>
    public const byte UdpLite = 136;
}
