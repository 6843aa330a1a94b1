using System.Buffers.Binary;

namespace Sekisho.Packets.Capture;

/// <summary>A view over a Linux cooked-capture header, version 1 (<c>LINKTYPE_LINUX_SLL</c>, 16 bytes).</summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
/// +-------------------------------+-------------------------------+
/// |          packet type          |        ARPHRD_ type           |
/// +-------------------------------+-------------------------------+
/// |   link-layer address length   |  link-layer address (8 bytes) ...
/// +-------------------------------+-------------------------------+
/// ...                             |           protocol            |
/// +-------------------------------+-------------------------------+
/// </code>
/// The packet type is the kernel's <c>PACKET_*</c> value: 0 to us, 1 broadcast, 2 multicast, 3 to another host,
/// 4 sent by us.
/// </remarks>
public readonly ref struct LinuxSllHeader
{
    /// <summary>Header length.</summary>
    public const int Length = 16;

    private const int PacketTypeOffset = 0;
    private const int HardwareTypeOffset = 2;
    private const int AddressLengthOffset = 4;
    private const int AddressOffset = 6;
    private const int ProtocolOffset = 14;

    private readonly ReadOnlySpan<byte> _bytes;

    private LinuxSllHeader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>A view when <paramref name="bytes"/> holds the 16-byte header.</summary>
    public static bool TryCreate(ReadOnlySpan<byte> bytes, out LinuxSllHeader header)
    {
        header = default;
        if (bytes.Length < Length)
        {
            return false;
        }

        header = new LinuxSllHeader(bytes);
        return true;
    }

    /// <summary>The packet type (<c>PACKET_HOST</c> 0 … <c>PACKET_OUTGOING</c> 4).</summary>
    public ushort PacketType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[PacketTypeOffset..]);

    /// <summary>The device's <c>ARPHRD_*</c> type (1 Ethernet, 772 loopback, 65534 none).</summary>
    public ushort HardwareType => BinaryPrimitives.ReadUInt16BigEndian(_bytes[HardwareTypeOffset..]);

    /// <summary>The length of the link-layer source address.</summary>
    public ushort AddressLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[AddressLengthOffset..]);

    /// <summary>The link-layer source address, up to 8 bytes.</summary>
    public ReadOnlySpan<byte> Address => _bytes.Slice(AddressOffset, Math.Min((int)AddressLength, 8));

    /// <summary>The protocol (an EtherType: 0x0800 for IPv4).</summary>
    public ushort Protocol => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ProtocolOffset..]);

    /// <summary>The bytes after the header.</summary>
    public ReadOnlySpan<byte> Payload => _bytes[Length..];
}
