using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over a UDP header and its datagram.</summary>
/// <remarks>
/// RFC 768:
/// <code>
///  0      7 8     15 16    23 24    31
/// +--------+--------+--------+--------+
/// |     Source      |   Destination   |
/// |      Port       |      Port       |
/// +--------+--------+--------+--------+
/// |                 |                 |
/// |     Length      |    Checksum     |
/// +--------+--------+--------+--------+
/// </code>
/// A zero checksum means "none"; a rewrite then leaves it zero (the kernel's <c>CSUM_MANGLED_0</c> rule maps a
/// computed zero to 0xFFFF).
/// </remarks>
public readonly ref struct UdpHeader
{
    /// <summary>Header length.</summary>
    public const int Length = 8;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int LengthOffset = 4;
    private const int ChecksumOffset = 6;

    private readonly Span<byte> _bytes;

    private UdpHeader(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The datagram bytes.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>A view when the buffer holds the 8-byte header.</summary>
    public static bool TryCreate(Span<byte> datagram, out UdpHeader header)
    {
        header = default;
        if (datagram.Length < Length)
        {
            return false;
        }

        header = new UdpHeader(datagram);
        return true;
    }

    /// <summary>Source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SourcePortOffset..]);

    /// <summary>Destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DestinationPortOffset..]);

    /// <summary>The Length field.</summary>
    public ushort DatagramLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[LengthOffset..]);

    /// <summary>Checksum (0: none).</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);

    /// <summary>The data after the header.</summary>
    public Span<byte> Payload => _bytes[Length..];

    /// <summary>Rewrites the source port, updating a present checksum incrementally.</summary>
    public void SetSourcePort(ushort port) => SetPort(SourcePortOffset, port);

    /// <summary>Rewrites the destination port, updating a present checksum incrementally.</summary>
    public void SetDestinationPort(ushort port) => SetPort(DestinationPortOffset, port);

    /// <summary>Adjusts a present checksum for an address change in the pseudo-header.</summary>
    public void UpdateChecksumForAddress(Ipv4Address oldAddress, Ipv4Address newAddress)
    {
        if (Checksum == 0)
        {
            return;
        }

        StoreChecksum(Packets.Checksum.Update32(Checksum, oldAddress.Value, newAddress.Value));
    }

    /// <summary>Computes the checksum over pseudo-header and datagram and stores it.</summary>
    public void UpdateChecksum(Ipv4Address source, Ipv4Address destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        uint sum = Packets.Checksum.PseudoHeader(source, destination, IpProtocol.Udp, _bytes.Length);
        StoreChecksum(Packets.Checksum.Finish(Packets.Checksum.Add(_bytes, sum)));
    }

    private void SetPort(int offset, ushort port)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], port);
        if (Checksum != 0)
        {
            StoreChecksum(Packets.Checksum.Update16(Checksum, old, port));
        }
    }

    private void StoreChecksum(ushort checksum) =>
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum == 0 ? (ushort)0xFFFF : checksum);
}
