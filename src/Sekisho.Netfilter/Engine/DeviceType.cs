namespace Sekisho.Netfilter.Engine;

/// <summary>The link type of a network device.</summary>
/// <remarks>The kernel's <c>ARPHRD_*</c> values for the types Sekisho models.</remarks>
public enum DeviceType : ushort
{
    /// <summary><c>ARPHRD_ETHER</c>: Ethernet (14-byte header).</summary>
    Ethernet = 1,

    /// <summary><c>ARPHRD_LOOPBACK</c>: the loopback device (an Ethernet-like 14-byte header of zeros).</summary>
    Loopback = 772,

    /// <summary><c>ARPHRD_NONE</c>: no link-layer header (TUN devices).</summary>
    None = 0xFFFE,
}
