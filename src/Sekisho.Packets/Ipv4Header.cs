using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A view over an IPv4 header and the packet it starts.</summary>
/// <remarks>
/// RFC 791, section 3.1:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |Flags|      Fragment Offset    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options                    |    Padding    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// <see cref="TryCreate"/> applies the checks of the kernel's <c>ip_rcv_core()</c> that precede netfilter:
/// version 4, IHL at least 5, header and total length within the buffer. The view spans exactly Total Length
/// bytes (trailing link-layer padding is cut off, as <c>pskb_trim_rcsum()</c> does).
/// </remarks>
public readonly ref struct Ipv4Header
{
    /// <summary>Minimum header length.</summary>
    public const int MinimumLength = 20;

    private const int VersionIhlOffset = 0;
    private const int TosOffset = 1;
    private const int TotalLengthOffset = 2;
    private const int IdentificationOffset = 4;
    private const int FlagsFragmentOffset = 6;
    private const int TtlOffset = 8;
    private const int ProtocolOffset = 9;
    private const int ChecksumOffset = 10;
    private const int SourceOffset = 12;
    private const int DestinationOffset = 16;

    /// <summary>The "don't fragment" flag.</summary>
    public const ushort DontFragmentFlag = 0x4000;

    /// <summary>The "more fragments" flag.</summary>
    public const ushort MoreFragmentsFlag = 0x2000;

    /// <summary>The reserved ("evil") flag.</summary>
    public const ushort ReservedFlag = 0x8000;

    private const ushort OffsetMask = 0x1FFF;

    private readonly Span<byte> _bytes;

    private Ipv4Header(Span<byte> bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The packet bytes: header and payload, Total Length long.</summary>
    public Span<byte> Bytes => _bytes;

    /// <summary>Validates and creates a view; false for anything the kernel drops before netfilter.</summary>
    public static bool TryCreate(Span<byte> data, out Ipv4Header header)
    {
        header = default;
        if (data.Length < MinimumLength || (data[VersionIhlOffset] >> 4) != 4)
        {
            return false;
        }

        int headerLength = (data[VersionIhlOffset] & 0x0F) * 4;
        if (headerLength < MinimumLength || headerLength > data.Length)
        {
            return false;
        }

        int totalLength = BinaryPrimitives.ReadUInt16BigEndian(data[TotalLengthOffset..]);
        if (totalLength > data.Length || totalLength < headerLength)
        {
            return false;
        }

        header = new Ipv4Header(data[..totalLength]);
        return true;
    }

    /// <summary>The header length in bytes (IHL × 4).</summary>
    public int HeaderLength => (_bytes[VersionIhlOffset] & 0x0F) * 4;

    /// <summary>Type of Service (DSCP and ECN).</summary>
    public byte Tos
    {
        get => _bytes[TosOffset];
        set => SetByte(TosOffset, value);
    }

    /// <summary>Total Length.</summary>
    public ushort TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[TotalLengthOffset..]);

    /// <summary>Identification.</summary>
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_bytes[IdentificationOffset..]);

    /// <summary>The flags and fragment offset word.</summary>
    public ushort FlagsAndFragmentOffset => BinaryPrimitives.ReadUInt16BigEndian(_bytes[FlagsFragmentOffset..]);

    /// <summary>Whether DF is set.</summary>
    public bool DontFragment => (FlagsAndFragmentOffset & DontFragmentFlag) != 0;

    /// <summary>Whether MF is set.</summary>
    public bool MoreFragments => (FlagsAndFragmentOffset & MoreFragmentsFlag) != 0;

    /// <summary>The fragment offset in 8-byte units.</summary>
    public int FragmentOffset => FlagsAndFragmentOffset & OffsetMask;

    /// <summary>Whether this is a fragment (offset or MF set).</summary>
    public bool IsFragment => (FlagsAndFragmentOffset & (MoreFragmentsFlag | OffsetMask)) != 0;

    /// <summary>Time to Live.</summary>
    public byte Ttl
    {
        get => _bytes[TtlOffset];
        set => SetByte(TtlOffset, value);
    }

    /// <summary>The transport protocol.</summary>
    public byte Protocol => _bytes[ProtocolOffset];

    /// <summary>Header Checksum.</summary>
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[ChecksumOffset..]);

    /// <summary>Source address.</summary>
    public Ipv4Address Source => Ipv4Address.Read(_bytes[SourceOffset..]);

    /// <summary>Destination address.</summary>
    public Ipv4Address Destination => Ipv4Address.Read(_bytes[DestinationOffset..]);

    /// <summary>The options (between the fixed header and the payload).</summary>
    public Span<byte> Options => _bytes[MinimumLength..HeaderLength];

    /// <summary>The payload (the transport header and data, or a fragment of them).</summary>
    public Span<byte> Payload => _bytes[HeaderLength..];

    /// <summary>Whether the header checksum is correct.</summary>
    public bool IsChecksumValid => Checksum.Verify(_bytes[..HeaderLength]);

    /// <summary>Recomputes the header checksum.</summary>
    public void UpdateChecksum()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], Checksum.Compute(_bytes[..HeaderLength]));
    }

    /// <summary>Rewrites the source address, updating the header checksum incrementally.</summary>
    public void SetSource(Ipv4Address address) => SetAddress(SourceOffset, address);

    /// <summary>Rewrites the destination address, updating the header checksum incrementally.</summary>
    public void SetDestination(Ipv4Address address) => SetAddress(DestinationOffset, address);

    private void SetAddress(int offset, Ipv4Address address)
    {
        uint old = Ipv4Address.Read(_bytes[offset..]).Value;
        address.Write(_bytes[offset..]);
        ushort checksum = Checksum.Update32(HeaderChecksum, old, address.Value);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum);
    }

    private void SetByte(int offset, byte value)
    {
        // The byte is one half of a 16-bit word for the checksum.
        int wordOffset = offset & ~1;
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(_bytes[wordOffset..]);
        _bytes[offset] = value;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(_bytes[wordOffset..]);
        ushort checksum = Checksum.Update16(HeaderChecksum, oldWord, newWord);
        BinaryPrimitives.WriteUInt16BigEndian(_bytes[ChecksumOffset..], checksum);
    }
}
