using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.Live.Interop;

/// <summary>Finishes a TCP or UDP checksum that checksum offload left as the pseudo-header sum (<c>CHECKSUM_PARTIAL</c>).</summary>
internal static class TransportChecksum
{
    private const int EthernetHeader = 14;

    /// <summary>Computes the transport checksum of an Ethernet IPv4 frame in full; other frames are left alone.</summary>
    public static void Complete(Span<byte> frame)
    {
        if (frame.Length < EthernetHeader + Ipv4Header.MinimumLength
            || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
        {
            return;
        }

        var ip = frame[EthernetHeader..];
        int ihl = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        if ((ip[0] >> 4) != 4 || ihl < 20 || total > ip.Length || total < ihl
            || (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0)
        {
            return;
        }

        byte protocol = ip[9];
        int field = protocol switch
        {
            6 => 16,
            17 => 6,
            _ => -1,
        };
        var segment = ip[ihl..total];
        if (field < 0 || segment.Length < field + 2)
        {
            return;
        }

        segment[field] = 0;
        segment[field + 1] = 0;
        uint sum = Checksum.PseudoHeader(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), protocol, segment.Length);
        ushort check = Checksum.Finish(Checksum.Add(segment, sum));
        if (check == 0 && protocol == 17)
        {
            check = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment[field..], check);
    }
}
