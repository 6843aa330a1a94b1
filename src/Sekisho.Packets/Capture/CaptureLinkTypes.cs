namespace Sekisho.Packets.Capture;

/// <summary>Helpers for <see cref="CaptureLinkType"/>.</summary>
public static class CaptureLinkTypes
{
    /// <summary>Maps the BSD <c>DLT_RAW</c> values (12 and 14) used by some pcap writers to <see cref="CaptureLinkType.Raw"/>.</summary>
    public static CaptureLinkType Normalise(uint value) => value switch
    {
        12 or 14 => CaptureLinkType.Raw,
        _ => (CaptureLinkType)(ushort)value,
    };

    /// <summary>Whether Sekisho reads packets of this link type.</summary>
    public static bool IsSupported(CaptureLinkType type) =>
        type is CaptureLinkType.Ethernet or CaptureLinkType.Raw or CaptureLinkType.Ipv4 or CaptureLinkType.LinuxSll or CaptureLinkType.LinuxSll2;
}
