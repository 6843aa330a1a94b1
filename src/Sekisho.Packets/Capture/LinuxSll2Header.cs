using System.Buffers.Binary;

namespace Sekisho.Packets.Capture;

/// <summary>A view over a Linux cooked-capture header, version 2 (<c>LINKTYPE_LINUX_SLL2</c>, 20 bytes).</summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
/// +-------------------------------+-------------------------------+
/// |           protocol            |           reserved            |
/// +-------------------------------+-------------------------------+
/// |                        interface index                        |
/// +-------------------------------+---------------+---------------+
/// |         ARPHRD_ type          |  packet type  | address length|
/// +-------------------------------+---------------+---------------+
/// |                 link-layer address (8 bytes)                  |
/// </code>
/// </remarks>
public readonly ref struct LinuxSll2Header
{
    /// <summary>Header length.</summary>
    public const int Length = 20;

    private const int ProtocolOffset = 0;
    private const int InterfaceIndexOffset = 4;
    private const int HardwareTypeOffset = 8;
    private const int PacketTypeOffset = 10;
    private const int AddressLengthOffset = 11;
    private const int AddressOffset = 12;

    private readonly ReadOnlySpan<byte> _bytes;

    private LinuxSll2Header(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>A view when <paramref name="bytes"/> holds the 20-byte header.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out LinuxSll2Header header)
    {
        header = default;
        if (bytes.Length < Length)
        {
            return false;
        }

        header = new LinuxSll2Header(bytes);
        return true;
    }

    /// <summary>The protocol (an EtherType: 0x0800 for IPv4).</summary>
    public ushort Protocol => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ProtocolOffset..]);

    /// <summary>The index of the interface the packet was captured on, in the capturing host's numbering.</summary>
    public int InterfaceIndex => BinaryPrimitives.ReadInt32BigEndian(_bytes[InterfaceIndexOffset..]);

    /// <summary>The device's <c>ARPHRD_*</c> type.</summary>
    public ushort HardwareType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[HardwareTypeOffset..]);

    /// <summary>The packet type (<c>PACKET_HOST</c> 0 … <c>PACKET_OUTGOING</c> 4).</summary>
    public byte PacketType => _bytes[PacketTypeOffset];

    /// <summary>The length of the link-layer source address.</summary>
    public byte AddressLength => _bytes[AddressLengthOffset];

    /// <summary>The link-layer source address, up to 8 bytes.</summary>
    public ReadOnlySpan<byte> Address => _bytes.Slice(AddressOffset, Math.Min((int)AddressLength, 8));

    /// <summary>The bytes after the header.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[Length..];
}
