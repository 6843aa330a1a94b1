using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>Builds IPv4 datagrams and Ethernet frames with correct lengths and checksums.</summary>
/// <remarks>
/// For describing packets (<c>sekisho trace</c>) and for tests; not for the packet path (it allocates). Each
/// transport builder fills its checksum over the RFC 768/9293 pseudo-header, ICMP over its message (RFC 792),
/// SCTP with CRC32c (RFC 9260).
/// </remarks>
public static class PacketBuilder
{
    /// <summary>An IPv4 datagram carrying <paramref name="payload"/> as protocol <paramref name="protocol"/>.</summary>
    public static byte[] Ipv4(IpFields ip, byte protocol, ReadOnlySpan<byte> payload)
    {
        int optionLength = (ip.Options.Length + 3) & ~3;
        int headerLength = 20 + optionLength;
        var datagram = new byte[headerLength + payload.Length];
        var span = datagram.AsSpan();
        span[0] = (byte)(0x40 | (headerLength / 4));
        span[1] = ip.Tos;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)(ip.TotalLengthOverride ?? datagram.Length));
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], ip.Id);
        ushort flags = (ushort)((ip.Reserved ? 0x8000 : 0) | (ip.DontFragment ? 0x4000 : 0) | (ip.MoreFragments ? 0x2000 : 0)
            | ((ip.FragmentOffset / 8) & 0x1FFF));
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], flags);
        span[8] = ip.Ttl;
        span[9] = protocol;
        ip.Source.Write(span[12..]);
        ip.Destination.Write(span[16..]);
        ip.Options.CopyTo(span[20..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], Checksum.Compute(span[..headerLength]));
        payload.CopyTo(span[headerLength..]);
        return datagram;
    }

    /// <summary>A TCP segment in an IPv4 datagram.</summary>
    public static byte[] Tcp(IpFields ip, ushort sourcePort, ushort destinationPort, byte flags, uint sequence = 0,
        uint acknowledgment = 0, ushort window = 65535, ReadOnlySpan<byte> options = default, ReadOnlySpan<byte> payload = default,
        ushort urgent = 0, byte reserved = 0)
    {
        int optionLength = (options.Length + 3) & ~3;
        var segment = new byte[20 + optionLength + payload.Length];
        var span = segment.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], acknowledgment);
        span[12] = (byte)((((20 + optionLength) / 4) << 4) | (reserved & 0x0F));
        span[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(span[14..], window);
        BinaryPrimitives.WriteUInt16BigEndian(span[18..], urgent);
        options.CopyTo(span[20..]);
        payload.CopyTo(span[(20 + optionLength)..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[16..], TransportChecksum(ip, 6, span));
        return Ipv4(ip, 6, span);
    }

    /// <summary>A UDP datagram in an IPv4 datagram.</summary>
    public static byte[] Udp(IpFields ip, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload = default)
    {
        var datagram = new byte[8 + payload.Length];
        var span = datagram.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)datagram.Length);
        payload.CopyTo(span[8..]);
        ushort checksum = TransportChecksum(ip, 17, span);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], checksum == 0 ? (ushort)0xFFFF : checksum);
        return Ipv4(ip, 17, span);
    }

    /// <summary>An ICMP message in an IPv4 datagram: type, code, the 4 bytes after the checksum, then the payload.</summary>
    public static byte[] Icmp(IpFields ip, byte type, byte code, uint restOfHeader = 0, ReadOnlySpan<byte> payload = default)
    {
        var message = new byte[8 + payload.Length];
        var span = message.AsSpan();
        span[0] = type;
        span[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], restOfHeader);
        payload.CopyTo(span[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], Checksum.Compute(span));
        return Ipv4(ip, 1, span);
    }

    /// <summary>An ICMP echo request (type 8) or reply (type 0) with an identifier and sequence number.</summary>
    public static byte[] Echo(IpFields ip, ushort identifier, ushort sequence, ReadOnlySpan<byte> payload = default, bool reply = false) =>
        Icmp(ip, reply ? (byte)0 : (byte)8, 0, ((uint)identifier << 16) | sequence, payload);

    /// <summary>An SCTP packet (common header and the chunks given as bytes) with its CRC32c.</summary>
    public static byte[] Sctp(IpFields ip, ushort sourcePort, ushort destinationPort, uint verificationTag, ReadOnlySpan<byte> chunks)
    {
        var packet = new byte[12 + chunks.Length];
        var span = packet.AsSpan();
        BinaryPrimitives.WriteUInt16BigEndian(span, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], verificationTag);
        chunks.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], Crc32c.Compute(span));
        return Ipv4(ip, 132, span);
    }

    /// <summary>An Ethernet II frame.</summary>
    public static byte[] Ethernet(MacAddress destination, MacAddress source, ReadOnlySpan<byte> payload, ushort etherType = 0x0800)
    {
        var frame = new byte[14 + payload.Length];
        destination.Write(frame);
        source.Write(frame.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame.AsSpan(14));
        return frame;
    }

    /// <summary>
    /// Splits a datagram into fragments whose payloads hold at most <paramref name="maxPayload"/> bytes (rounded
    /// down to a multiple of 8), as <c>ip_fragment</c> does; options are copied into the first fragment only.
    /// </summary>
    public static List<byte[]> Fragment(ReadOnlySpan<byte> datagram, int maxPayload)
    {
        int headerLength = (datagram[0] & 0x0F) * 4;
        var payload = datagram[headerLength..];
        int step = maxPayload & ~7;
        var fragments = new List<byte[]>();
        ushort original = BinaryPrimitives.ReadUInt16BigEndian(datagram[6..]);
        int baseOffset = (original & 0x1FFF) * 8;
        bool lastHasMore = (original & 0x2000) != 0;
        for (int offset = 0; offset < payload.Length; offset += step)
        {
            int length = Math.Min(step, payload.Length - offset);
            bool first = offset == 0;
            int hl = first ? headerLength : 20;
            var fragment = new byte[hl + length];
            datagram[..20].CopyTo(fragment);
            if (first)
            {
                datagram[..headerLength].CopyTo(fragment);
            }

            fragment[0] = (byte)(0x40 | (hl / 4));
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(2), (ushort)fragment.Length);
            bool more = offset + length < payload.Length || lastHasMore;
            ushort flags = (ushort)((original & 0xC000) | (more ? 0x2000 : 0) | ((baseOffset + offset) / 8));
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(6), flags);
            fragment[10] = 0;
            fragment[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(fragment.AsSpan(10), Checksum.Compute(fragment.AsSpan(0, hl)));
            payload.Slice(offset, length).CopyTo(fragment.AsSpan(hl));
            fragments.Add(fragment);
        }

        return fragments;
    }

    private static ushort TransportChecksum(IpFields ip, byte protocol, ReadOnlySpan<byte> segment) =>
        Checksum.Finish(Checksum.Add(segment, Checksum.PseudoHeader(ip.Source, ip.Destination, protocol, segment.Length)));
}
