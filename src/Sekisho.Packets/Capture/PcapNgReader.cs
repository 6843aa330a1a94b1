using System.Buffers.Binary;
using System.Text;

namespace Sekisho.Packets.Capture;

/// <summary>Reads the pcapng format: sections in either byte order, interfaces with their link types and time resolutions, packets.</summary>
/// <remarks>
/// Blocks (draft-ietf-opsawg-pcapng): the Section Header Block (<c>0a0d0d0a</c>, its byte-order magic
/// <c>1a2b3c4d</c> decides the section's byte order) starts a section and forgets the previous section's
/// interfaces; Interface Description Blocks (1) give each interface its link type, snapshot length, name
/// (<c>if_name</c>), timestamp resolution (<c>if_tsresol</c>: 10^-n, or 2^-n when the high bit is set; default
/// microseconds) and offset (<c>if_tsoffset</c>); Enhanced Packet Blocks (6), Simple Packet Blocks (3, interface 0,
/// no time) and the obsolete Packet Blocks (2) carry packets; every other block is skipped. A block whose length
/// is not a multiple of 4, shorter than its fields, longer than 16 MiB, or whose trailing length differs is damage.
/// </remarks>
public sealed class PcapNgReader : CaptureReader
{
    /// <summary>The Section Header Block type (the same in both byte orders).</summary>
    public const uint SectionHeaderType = 0x0A0D0D0A;

    private const uint ByteOrderMagic = 0x1A2B3C4D;
    private const uint InterfaceDescriptionType = 1;
    private const uint PacketType = 2;
    private const uint SimplePacketType = 3;
    private const uint EnhancedPacketType = 6;
    private const int MaximumBlockLength = 16 * 1024 * 1024;

    private readonly List<CaptureInterface> _all = [];
    private readonly List<(CaptureInterface Interface, bool Binary, byte Exponent, long OffsetSeconds)> _section = [];
    private bool _bigEndian;

    internal PcapNgReader(Stream stream, bool leaveOpen)
        : base(stream, leaveOpen, 4)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyList<CaptureInterface> Interfaces => _all;

    /// <inheritdoc />
    public override string Format => "pcapng";

    /// <inheritdoc />
    private protected override bool ReadHeader() => ReadSection(0);

    /// <inheritdoc />
    public override bool TryRead(out CapturedPacket packet)
    {
        packet = default;
        Span<byte> head = stackalloc byte[8];
        while (Error is null)
        {
            long offset = Position;
            if (!TryFill(head, out int read))
            {
                if (read != 0)
                {
                    Error = new CaptureError(offset, $"truncated block header ({read} of 8 bytes)");
                }

                return false;
            }

            uint type = U32(head);
            if (type == SectionHeaderType)
            {
                // The length is in the new section's byte order, which the magic after it tells: read it again.
                if (!ReadSection(offset, head[4..]))
                {
                    return false;
                }

                continue;
            }

            uint length = U32(head[4..]);
            if (!CheckLength(offset, length, 12))
            {
                return false;
            }

            int bodyLength = (int)length - 8;
            if (!TryFill(bodyLength, out read))
            {
                Error = new CaptureError(offset, $"truncated block of type {type} ({read + 8} of {length} bytes)");
                return false;
            }

            var body = Buffer.AsSpan(0, bodyLength);
            if (U32(body[^4..]) != length)
            {
                Error = new CaptureError(offset, $"block of type {type}: trailing length {U32(body[^4..])} differs from {length}");
                return false;
            }

            switch (type)
            {
                case InterfaceDescriptionType:
                    if (!ReadInterface(offset, body[..^4]))
                    {
                        return false;
                    }

                    break;
                case EnhancedPacketType:
                case PacketType:
                    return ReadPacket(offset, type, body[..^4], out packet);
                case SimplePacketType:
                    return ReadSimplePacket(offset, body[..^4], out packet);
                default:
                    break;
            }
        }

        return false;
    }

    private bool ReadSection(long offset, ReadOnlySpan<byte> lengthBytes = default)
    {
        Span<byte> fields = stackalloc byte[8];
        int have = 0;
        if (!lengthBytes.IsEmpty)
        {
            lengthBytes.CopyTo(fields);
            have = 4;
        }

        if (!TryFill(fields[have..], out _))
        {
            Error = new CaptureError(offset, "truncated section header block");
            return false;
        }

        uint magic = BinaryPrimitives.ReadUInt32BigEndian(fields[4..]);
        if (magic == ByteOrderMagic)
        {
            _bigEndian = true;
        }
        else if (BinaryPrimitives.ReverseEndianness(magic) == ByteOrderMagic)
        {
            _bigEndian = false;
        }
        else
        {
            Error = new CaptureError(offset, $"section header block with a bad byte-order magic 0x{magic:x8}");
            return false;
        }

        uint length = U32(fields);
        if (!CheckLength(offset, length, 28))
        {
            return false;
        }

        int rest = (int)length - 12;
        if (!TryFill(rest, out int read))
        {
            Error = new CaptureError(offset, $"truncated section header block ({read + 12} of {length} bytes)");
            return false;
        }

        var body = Buffer.AsSpan(0, rest);
        ushort major = U16(body);
        if (major != 1)
        {
            Error = new CaptureError(offset, $"unsupported pcapng version {major}.{U16(body[2..])}");
            return false;
        }

        if (U32(body[^4..]) != length)
        {
            Error = new CaptureError(offset, $"section header block: trailing length {U32(body[^4..])} differs from {length}");
            return false;
        }

        _section.Clear();
        return true;
    }

    private bool CheckLength(long offset, uint length, uint minimum)
    {
        if (length < minimum || length % 4 != 0 || length > MaximumBlockLength)
        {
            Error = new CaptureError(offset, $"bad block length {length}");
            return false;
        }

        return true;
    }

    private bool ReadInterface(long offset, ReadOnlySpan<byte> body)
    {
        if (body.Length < 8)
        {
            Error = new CaptureError(offset, "interface description block too short");
            return false;
        }

        var type = CaptureLinkTypes.Normalise(U16(body));
        uint snapLength = U32(body[4..]);
        string? name = null;
        bool binary = false;
        byte exponent = 6;
        long offsetSeconds = 0;
        var options = body[8..];
        while (options.Length >= 4)
        {
            ushort code = U16(options);
            ushort length = U16(options[2..]);
            if (code == 0)
            {
                break;
            }

            int padded = (length + 3) & ~3;
            if (options.Length < 4 + padded)
            {
                Error = new CaptureError(offset, $"interface description block: option {code} runs past the block");
                return false;
            }

            var value = options.Slice(4, length);
            switch (code)
            {
                case 2:
                    name = Encoding.UTF8.GetString(value).TrimEnd('\0');
                    break;
                case 9 when length >= 1:
                    binary = (value[0] & 0x80) != 0;
                    exponent = (byte)(value[0] & 0x7F);
                    break;
                case 14 when length >= 8:
                    offsetSeconds = _bigEndian ? BinaryPrimitives.ReadInt64BigEndian(value) : BinaryPrimitives.ReadInt64LittleEndian(value);
                    break;
                default:
                    break;
            }

            options = options[(4 + padded)..];
        }

        if (!binary && exponent > 18 || binary && exponent > 63)
        {
            Error = new CaptureError(offset, $"interface description block: unusable time resolution {(binary ? "2^-" : "10^-")}{exponent}");
            return false;
        }

        var captureInterface = new CaptureInterface(_section.Count, type, snapLength, name);
        _section.Add((captureInterface, binary, exponent, offsetSeconds));
        _all.Add(captureInterface);
        return true;
    }

    private bool ReadPacket(long offset, uint type, ReadOnlySpan<byte> body, out CapturedPacket packet)
    {
        packet = default;
        if (body.Length < 20)
        {
            Error = new CaptureError(offset, "packet block too short");
            return false;
        }

        int id = type == EnhancedPacketType ? (int)Math.Min(U32(body), int.MaxValue) : U16(body);
        ulong units = ((ulong)U32(body[4..]) << 32) | U32(body[8..]);
        uint captured = U32(body[12..]);
        uint original = U32(body[16..]);
        if (id >= _section.Count)
        {
            Error = new CaptureError(offset, $"packet of interface {id}, which no interface description block declared");
            return false;
        }

        if (captured > body.Length - 20)
        {
            Error = new CaptureError(offset, $"captured length {captured} runs past the block");
            return false;
        }

        var (captureInterface, binary, exponent, offsetSeconds) = _section[id];
        if (!CaptureLinkTypes.IsSupported(captureInterface.LinkType))
        {
            Error = new CaptureError(offset, $"unsupported link type {(ushort)captureInterface.LinkType} of interface {id}");
            return false;
        }

        long nanoseconds = ToNanoseconds(units, binary, exponent) + offsetSeconds * 1_000_000_000L;
        packet = new CapturedPacket(new ReadOnlyMemory<byte>(Buffer, 20, (int)captured), nanoseconds,
            (int)Math.Min(Math.Max(original, captured), int.MaxValue), captureInterface, offset);
        return true;
    }

    private bool ReadSimplePacket(long offset, ReadOnlySpan<byte> body, out CapturedPacket packet)
    {
        packet = default;
        if (_section.Count == 0)
        {
            Error = new CaptureError(offset, "simple packet block before any interface description block");
            return false;
        }

        if (body.Length < 4)
        {
            Error = new CaptureError(offset, "simple packet block too short");
            return false;
        }

        var captureInterface = _section[0].Interface;
        uint original = U32(body);
        long captured = Math.Min(original, body.Length - 4);
        if (captureInterface.SnapLength != 0)
        {
            captured = Math.Min(captured, captureInterface.SnapLength);
        }

        packet = new CapturedPacket(new ReadOnlyMemory<byte>(Buffer, 4, (int)captured), 0,
            (int)Math.Min(original, int.MaxValue), captureInterface, offset);
        return true;
    }

    private static long ToNanoseconds(ulong units, bool binary, byte exponent)
    {
        if (binary)
        {
            return (long)(((UInt128)units * 1_000_000_000UL) >> exponent);
        }

        if (exponent <= 9)
        {
            ulong factor = 1;
            for (int i = exponent; i < 9; i++)
            {
                factor *= 10;
            }

            return (long)(units * factor);
        }

        ulong divisor = 1;
        for (int i = 9; i < exponent; i++)
        {
            divisor *= 10;
        }

        return (long)(units / divisor);
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
