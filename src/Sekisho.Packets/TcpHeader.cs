using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over a TCP header and its segment.</summary>
/// <remarks>
/// RFC 9293, section 3.1:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Acknowledgment Number                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// |       |       |R|E|G|K|H|T|N|N|                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Checksum            |         Urgent Pointer        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           [Options]                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly ref struct TcpHeader
{
    /// <summary>Minimum header length.</summary>
    public const int MinimumLength = 20;

    /// <summary>FIN.</summary>
    public const byte Fin = 0x01;

    /// <summary>SYN.</summary>
    public const byte Syn = 0x02;

    /// <summary>RST.</summary>
    public const byte Rst = 0x04;

    /// <summary>PSH.</summary>
    public const byte Psh = 0x08;

    /// <summary>ACK.</summary>
    public const byte Ack = 0x10;

    /// <summary>URG.</summary>
    public const byte Urg = 0x20;

    /// <summary>ECE.</summary>
    public const byte Ece = 0x40;

    /// <summary>CWR.</summary>
    public const byte Cwr = 0x80;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int SequenceOffset = 4;
    private const int AcknowledgmentOffset = 8;
    private const int DataOffsetOffset = 12;
    private const int FlagsOffset = 13;
    private const int WindowOffset = 14;
    private const int ChecksumOffset = 16;
    private const int UrgentOffset = 18;

    private readonly Span<byte> _bytes;

    private TcpHeader(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The segment: header and data.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>A view when the buffer holds at least the fixed header and the header length it declares.</summary>
    public static bool TryCreate(Span<byte> segment, out TcpHeader header)
    {
        header = default;
        if (segment.Length < MinimumLength)
        {
            return false;
        }

        int headerLength = (segment[DataOffsetOffset] >> 4) * 4;
        if (headerLength < MinimumLength || headerLength > segment.Length)
        {
            return false;
        }

        header = new TcpHeader(segment);
        return true;
    }

    /// <summary>Source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SourcePortOffset..]);

    /// <summary>Destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DestinationPortOffset..]);

    /// <summary>Sequence number.</summary>
    public uint Sequence => BinaryPrimitives.ReadUInt32BigEndian(_bytes[SequenceOffset..]);

    /// <summary>Acknowledgment number.</summary>
    public uint Acknowledgment => BinaryPrimitives.ReadUInt32BigEndian(_bytes[AcknowledgmentOffset..]);

    /// <summary>Header length in bytes (data offset × 4).</summary>
    public int HeaderLength => (_bytes[DataOffsetOffset] >> 4) * 4;

    /// <summary>The four reserved bits (shown by LOG as RES=).</summary>
    public byte Reserved => (byte)(_bytes[DataOffsetOffset] & 0x0F);

    /// <summary>The flags byte (CWR ECE URG ACK PSH RST SYN FIN).</summary>
    public byte Flags => _bytes[FlagsOffset];

    /// <summary>Window.</summary>
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_bytes[WindowOffset..]);

    /// <summary>Checksum.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);

    /// <summary>Urgent pointer.</summary>
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_bytes[UrgentOffset..]);

    /// <summary>The options.</summary>
    public Span<byte> Options => _bytes[MinimumLength..HeaderLength];

    /// <summary>The data after the header.</summary>
    public Span<byte> Payload => _bytes[HeaderLength..];

    /// <summary>Rewrites the source port, updating the checksum incrementally.</summary>
    public void SetSourcePort(ushort port) => SetPort(SourcePortOffset, port);

    /// <summary>Rewrites the destination port, updating the checksum incrementally.</summary>
    public void SetDestinationPort(ushort port) => SetPort(DestinationPortOffset, port);

    /// <summary>Adjusts the checksum for an address change in the pseudo-header.</summary>
    public void UpdateChecksumForAddress(Ipv4Address oldAddress, Ipv4Address newAddress) =>
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..],
            Packets.Checksum.Update32(Checksum, oldAddress.Value, newAddress.Value));

    /// <summary>Computes the checksum over the pseudo-header and segment and stores it.</summary>
    public void UpdateChecksum(Ipv4Address source, Ipv4Address destination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        uint sum = Packets.Checksum.PseudoHeader(source, destination, IpProtocol.Tcp, _bytes.Length);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], Packets.Checksum.Finish(Packets.Checksum.Add(_bytes, sum)));
    }

    private void SetPort(int offset, ushort port)
    {
        ushort old = BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[offset..], port);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], Packets.Checksum.Update16(Checksum, old, port));
    }
}
