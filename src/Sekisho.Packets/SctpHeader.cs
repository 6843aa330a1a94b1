using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over an SCTP common header and its chunks.</summary>
/// <remarks>
/// RFC 9260, section 3: source port, destination port, verification tag, CRC32c checksum; then chunks of
/// type (1), flags (1), length (2) and value, each padded to a multiple of four bytes.
/// </remarks>
public readonly ref struct SctpHeader
{
    /// <summary>Common header length.</summary>
    public const int Length = 12;

    /// <summary>Chunk header length.</summary>
    public const int ChunkHeaderLength = 4;

    private const int SourcePortOffset = 0;
    private const int DestinationPortOffset = 2;
    private const int VerificationTagOffset = 4;
    private const int ChecksumOffset = 8;

    private readonly Span<byte> _bytes;

    private SctpHeader(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The packet bytes.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>A view when the buffer holds the 12-byte common header.</summary>
    public static bool TryCreate(Span<byte> packet, out SctpHeader header)
    {
        header = default;
        if (packet.Length < Length)
        {
            return false;
        }

        header = new SctpHeader(packet);
        return true;
    }

    /// <summary>Source port.</summary>
    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[SourcePortOffset..]);

    /// <summary>Destination port.</summary>
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[DestinationPortOffset..]);

    /// <summary>Verification tag.</summary>
    public uint VerificationTag => BinaryPrimitives.ReadUInt32BigEndian(_bytes[VerificationTagOffset..]);

    /// <summary>CRC32c checksum (little-endian on the wire, as RFC 9260 appendix A stores it).</summary>
    public uint Checksum => BinaryPrimitives.ReadUInt32LittleEndian(_bytes[ChecksumOffset..]);

    /// <summary>The chunks.</summary>
    public Span<byte> Chunks => _bytes[Length..];

    /// <summary>Rewrites the source port (the CRC must then be recomputed).</summary>
    public void SetSourcePort(ushort port) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[SourcePortOffset..], port);

    /// <summary>Rewrites the destination port (the CRC must then be recomputed).</summary>
    public void SetDestinationPort(ushort port) => BinaryPrimitives.WriteUInt16BigEndian(_bytes[DestinationPortOffset..], port);

    /// <summary>Reads the chunk at <paramref name="offset"/> within <see cref="Chunks"/>; false at the end or when truncated.</summary>
    public bool TryReadChunk(int offset, out byte type, out byte flags, out int length)
    {
        var chunks = Chunks;
        type = 0;
        flags = 0;
        length = 0;
        if (offset + ChunkHeaderLength > chunks.Length)
        {
            return false;
        }

        type = chunks[offset];
        flags = chunks[offset + 1];
        length = BinaryPrimitives.ReadUInt16BigEndian(chunks[(offset + 2)..]);
        return true;
    }
}
