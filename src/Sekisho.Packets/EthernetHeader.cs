using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over an Ethernet II header.</summary>
/// <remarks>IEEE 802.3 / Ethernet II: destination (6), source (6), EtherType (2).</remarks>
public readonly ref struct EthernetHeader
{
    /// <summary>Header length.</summary>
    public const int Length = 14;

    /// <summary>EtherType of IPv4.</summary>
    public const ushort EtherTypeIpv4 = 0x0800;

    /// <summary>EtherType of ARP.</summary>
    public const ushort EtherTypeArp = 0x0806;

    /// <summary>EtherType of an 802.1Q VLAN tag.</summary>
    public const ushort EtherTypeVlan = 0x8100;

    /// <summary>EtherType of IPv6.</summary>
    public const ushort EtherTypeIpv6 = 0x86DD;

    private const int DestinationOffset = 0;
    private const int SourceOffset = 6;
    private const int EtherTypeOffset = 12;

    private readonly Span<byte> _bytes;

    private EthernetHeader(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The frame.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>A view when the frame holds the 14-byte header.</summary>
    public static bool TryCreate(Span<byte> frame, out EthernetHeader header)
    {
        header = default;
        if (frame.Length < Length)
        {
            return false;
        }

        header = new EthernetHeader(frame);
        return true;
    }

    /// <summary>Destination address.</summary>
    public MacAddress Destination => MacAddress.Read(_bytes[DestinationOffset..]);

    /// <summary>Source address.</summary>
    public MacAddress Source => MacAddress.Read(_bytes[SourceOffset..]);

    /// <summary>EtherType.</summary>
    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[EtherTypeOffset..]);

    /// <summary>The 14 header bytes.</summary>
    public Span<byte> Header => _bytes[..Length];

    /// <summary>The payload.</summary>
    public Span<byte> Payload => _bytes[Length..];
}
