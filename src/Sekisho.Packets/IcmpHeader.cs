using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over an ICMP message.</summary>
/// <remarks>
/// RFC 792: type, code, checksum, then four bytes whose meaning depends on the type (identifier and sequence
/// of echo messages, the next-hop MTU of "fragmentation needed", the gateway of redirects), then the data; for
/// error messages the data is the offending packet's IP header and at least 8 bytes of its payload.
/// </remarks>
public readonly ref struct IcmpHeader
{
    /// <summary>Header length (type, code, checksum and the rest-of-header word).</summary>
    public const int Length = 8;

    /// <summary>Echo reply.</summary>
    public const byte EchoReply = 0;

    /// <summary>Destination unreachable.</summary>
    public const byte DestinationUnreachable = 3;

    /// <summary>Source quench.</summary>
    public const byte SourceQuench = 4;

    /// <summary>Redirect.</summary>
    public const byte Redirect = 5;

    /// <summary>Echo request.</summary>
    public const byte EchoRequest = 8;

    /// <summary>Time exceeded.</summary>
    public const byte TimeExceeded = 11;

    /// <summary>Parameter problem.</summary>
    public const byte ParameterProblem = 12;

    /// <summary>Timestamp request.</summary>
    public const byte TimestampRequest = 13;

    /// <summary>Timestamp reply.</summary>
    public const byte TimestampReply = 14;

    /// <summary>Information request.</summary>
    public const byte InfoRequest = 15;

    /// <summary>Information reply.</summary>
    public const byte InfoReply = 16;

    /// <summary>Address mask request.</summary>
    public const byte AddressMaskRequest = 17;

    /// <summary>Address mask reply.</summary>
    public const byte AddressMaskReply = 18;

    private const int TypeOffset = 0;
    private const int CodeOffset = 1;
    private const int ChecksumOffset = 2;
    private const int IdentifierOffset = 4;
    private const int SequenceOffset = 6;

    private readonly Span<byte> _bytes;

    private IcmpHeader(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The message bytes.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>A view when the buffer holds the 8-byte header.</summary>
    public static bool TryCreate(Span<byte> message, out IcmpHeader header)
    {
        header = default;
        if (message.Length < Length)
        {
            return false;
        }

        header = new IcmpHeader(message);
        return true;
    }

    /// <summary>Type.</summary>
    public byte Type => _bytes[TypeOffset];

    /// <summary>Code.</summary>
    public byte Code => _bytes[CodeOffset];

    /// <summary>Checksum.</summary>
    public ushort Checksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);

    /// <summary>Identifier (echo, timestamp, information and mask messages).</summary>
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IdentifierOffset..]);

    /// <summary>Sequence number (echo, timestamp, information and mask messages).</summary>
    public ushort Sequence => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SequenceOffset..]);

    /// <summary>The rest-of-header word as a whole.</summary>
    public uint RestOfHeader => BinaryPrimitives.ReadUInt32BigEndian(_bytes[IdentifierOffset..]);

    /// <summary>The data after the 8-byte header (the quoted packet of an error message).</summary>
    public Span<byte> Payload => _bytes[Length..];

    /// <summary>Whether the type is an error message (which quotes a packet).</summary>
    public bool IsError => IsErrorType(Type);

    /// <summary>Whether a type is one of the error messages.</summary>
    public static bool IsErrorType(byte type) =>
        type is DestinationUnreachable or SourceQuench or Redirect or TimeExceeded or ParameterProblem;

    /// <summary>Rewrites the identifier, updating the checksum incrementally.</summary>
    public void SetIdentifier(ushort identifier)
    {
        ushort old = Identifier;
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[IdentifierOffset..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], Packets.Checksum.Update16(Checksum, old, identifier));
    }

    /// <summary>Recomputes the checksum over the whole message.</summary>
    public void UpdateChecksum()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], Packets.Checksum.Compute(_bytes));
    }
}
