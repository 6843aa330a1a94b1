namespace Sekisho.Packets.Capture;

/// <summary>The link-layer header type of captured packets (the tcpdump.org <c>LINKTYPE_*</c> values).</summary>
/// <remarks>
/// Only the types a Linux host's IPv4 traffic is captured with are read; others are reported as unsupported.
/// Some old pcap files carry the BSD <c>DLT_RAW</c> values 12 or 14 for raw IP; <see cref="CaptureLinkTypes.Normalise"/>
/// maps them to <see cref="Raw"/>.
/// </remarks>
public enum CaptureLinkType : ushort
{
    /// <summary><c>LINKTYPE_ETHERNET</c> (1): Ethernet II frames.</summary>
    Ethernet = 1,

    /// <summary><c>LINKTYPE_RAW</c> (101): raw IP, the version in the first nibble.</summary>
    Raw = 101,

    /// <summary><c>LINKTYPE_LINUX_SLL</c> (113): Linux "cooked" capture, version 1 (<c>tcpdump -i any</c>).</summary>
    LinuxSll = 113,

    /// <summary><c>LINKTYPE_IPV4</c> (228): raw IPv4.</summary>
    Ipv4 = 228,

    /// <summary><c>LINKTYPE_LINUX_SLL2</c> (276): Linux "cooked" capture, version 2 (with the interface index).</summary>
    LinuxSll2 = 276,
}
