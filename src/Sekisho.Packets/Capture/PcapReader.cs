using System.Buffers.Binary;

namespace Sekisho.Packets.Capture;

/// <summary>Reads the classic pcap format (libpcap's savefile), either byte order, microsecond or nanosecond timestamps.</summary>
/// <remarks>
/// File header (24 bytes): magic, version 2.4, time zone, accuracy, snapshot length, link type (low 16 bits; the
/// high bits carry FCS information, ignored). Each record: seconds, micro- or nanoseconds, captured length,
/// original length, then the captured bytes. As libpcap, a record longer than 262,144 bytes (its largest snapshot
/// length) is treated as damage.
/// </remarks>
public sealed class PcapReader : CaptureReader
{
    /// <summary>The microsecond magic number, as read big-endian from a big-endian file.</summary>
    public const uint MicrosecondMagic = 0xA1B2C3D4;

    /// <summary>The nanosecond magic number.</summary>
    public const uint NanosecondMagic = 0xA1B23C4D;

    /// <summary>The microsecond magic of a little-endian file, read big-endian.</summary>
    public const uint MicrosecondMagicSwapped = 0xD4C3B2A1;

    /// <summary>The nanosecond magic of a little-endian file, read big-endian.</summary>
    public const uint NanosecondMagicSwapped = 0x4D3CB2A1;

    /// <summary>The largest record accepted (libpcap's <c>MAXIMUM_SNAPLEN</c>).</summary>
    public const int MaximumRecordLength = 262144;

    private readonly bool _bigEndian;
    private readonly bool _nanoseconds;
    private CaptureInterface _interface = new(0, CaptureLinkType.Ethernet, 0, null);
    private CaptureInterface[] _interfaces = [];

    internal PcapReader(Stream stream, bool leaveOpen, uint magic, bool bigEndian)
        : base(stream, leaveOpen, 4)
    {
        _bigEndian = bigEndian;
        _nanoseconds = magic == NanosecondMagic;
    }

    /// <inheritdoc />
    public override IReadOnlyList<CaptureInterface> Interfaces => _interfaces;

    /// <inheritdoc />
    public override string Format => "pcap";

    /// <summary>Whether the file's timestamps are in nanoseconds.</summary>
    public bool Nanoseconds => _nanoseconds;

    /// <summary>Whether the file is big-endian.</summary>
    public bool BigEndian => _bigEndian;

    /// <inheritdoc />
    private protected override bool ReadHeader()
    {
        Span<byte> header = stackalloc byte[20];
        if (!TryFill(header, out _))
        {
            Error = new CaptureError(0, "truncated pcap file header");
            return false;
        }

        ushort major = U16(header);
        if (major != 2)
        {
            Error = new CaptureError(4, $"unsupported pcap version {major}.{U16(header[2..])}");
            return false;
        }

        uint snapLength = U32(header[12..]);
        uint linkType = U32(header[16..]) & 0xFFFF;
        var type = CaptureLinkTypes.Normalise(linkType);
        if (!CaptureLinkTypes.IsSupported(type))
        {
            Error = new CaptureError(20, $"unsupported link type {linkType}");
            return false;
        }

        _interface = new CaptureInterface(0, type, snapLength, null);
        _interfaces = [_interface];
        return true;
    }

    /// <inheritdoc />
    public override bool TryRead(out CapturedPacket packet)
    {
        packet = default;
        if (Error is not null)
        {
            return false;
        }

        long offset = Position;
        Span<byte> record = stackalloc byte[16];
        if (!TryFill(record, out int read))
        {
            if (read != 0)
            {
                Error = new CaptureError(offset, $"truncated packet record header ({read} of 16 bytes)");
            }

            return false;
        }

        uint seconds = U32(record);
        uint fraction = U32(record[4..]);
        uint captured = U32(record[8..]);
        uint original = U32(record[12..]);
        if (captured > MaximumRecordLength)
        {
            Error = new CaptureError(offset, $"captured length {captured} is larger than {MaximumRecordLength} (damaged record)");
            return false;
        }

        if (fraction >= (_nanoseconds ? 1_000_000_000u : 1_000_000u))
        {
            Error = new CaptureError(offset, $"timestamp fraction {fraction} out of range (damaged record)");
            return false;
        }

        if (!TryFill((int)captured, out read))
        {
            Error = new CaptureError(offset, $"truncated packet data ({read} of {captured} bytes)");
            return false;
        }

        long nanoseconds = seconds * 1_000_000_000L + (_nanoseconds ? fraction : fraction * 1000L);
        packet = new CapturedPacket(new ReadOnlyMemory<byte>(Buffer, 0, (int)captured), nanoseconds,
            (int)Math.Min(Math.Max(original, captured), int.MaxValue), _interface, offset);
        return true;
    }

    private ushort U16(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(bytes) : BinaryPrimitives.ReadUInt16LittleEndian(bytes);

    private uint U32(ReadOnlySpan<byte> bytes) =>
        _bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(bytes) : BinaryPrimitives.ReadUInt32LittleEndian(bytes);
}
