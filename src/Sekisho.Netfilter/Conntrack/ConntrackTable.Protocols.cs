using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>The protocol trackers other than TCP's, and ICMP error handling.</summary>
public sealed partial class ConntrackTable
{
    private enum IcmpResult : byte
    {
        NotError,
        Invalid,
        Related,
    }

    // nf_conntrack_udp_packet after udp_error: 30 s until replied; a flow still active two seconds after it began
    // and replied becomes a stream (120 s, ASSURED).
    private TrackVerdict UdpPacket(Connection ct, ReadOnlySpan<byte> data, int dataoff, bool verify)
    {
        int length = data.Length - dataoff;
        if (length < 8)
        {
            return TrackVerdict.Invalid;
        }

        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(data[(dataoff + 4)..]);
        if (udpLength > length || udpLength < 8)
        {
            return TrackVerdict.Invalid;
        }

        if (verify && BinaryPrimitives.ReadUInt16BigEndian(data[(dataoff + 6)..]) != 0
            && !TransportChecksumOk(data, dataoff, 17))
        {
            return TrackVerdict.Invalid;
        }

        uint now = Now32;
        if (!ct.IsConfirmed)
        {
            ct.UdpStreamTimestamp = now + 2 * NetNamespace.Hz;
        }

        if ((ct.Status & ConnectionStatus.SeenReply) != 0)
        {
            uint extra = UdpTimeout * NetNamespace.Hz;
            bool stream = false;
            if ((int)(ct.UdpStreamTimestamp - now) < 0)
            {
                extra = UdpStreamTimeout * NetNamespace.Hz;
                stream = (ct.Status & ConnectionStatus.Assured) == 0;
            }

            Refresh(ct, extra);
            if ((ct.Status & ConnectionStatus.NatClash) != 0)
            {
                return TrackVerdict.Accept;
            }

            if (stream)
            {
                ct.Status |= ConnectionStatus.Assured;
            }
        }
        else
        {
            Refresh(ct, UdpTimeout * NetNamespace.Hz);
        }

        return TrackVerdict.Accept;
    }

    // nf_conntrack_icmp_packet: only queries (echo, timestamp, information, address mask) make connections.
    private TrackVerdict IcmpPacket(Connection ct)
    {
        byte type = ct.Original.IcmpType;
        if (type is not (8 or 13 or 15 or 17))
        {
            return TrackVerdict.Invalid;
        }

        Refresh(ct, IcmpTimeout * NetNamespace.Hz);
        return TrackVerdict.Accept;
    }

    // nf_conntrack_gre_packet: 30 s until replied, then 180 s and ASSURED. Version 0 GRE has no keys (the
    // tuple is the addresses alone, as generic tracking's); PPTP's call ids are not tracked.
    private TrackVerdict GrePacket(Connection ct)
    {
        if ((ct.Status & ConnectionStatus.SeenReply) != 0)
        {
            Refresh(ct, GreStreamTimeout * NetNamespace.Hz);
            if ((ct.Status & ConnectionStatus.NatClash) == 0)
            {
                ct.Status |= ConnectionStatus.Assured;
            }
        }
        else
        {
            Refresh(ct, GreTimeout * NetNamespace.Hz);
        }

        return TrackVerdict.Accept;
    }

    private TrackVerdict Generic(Connection ct)
    {
        Refresh(ct, GenericTimeout * NetNamespace.Hz);
        return TrackVerdict.Accept;
    }

    // nf_conntrack_icmpv4_error and nf_conntrack_inet_error: an ICMP error is RELATED to the connection of the
    // datagram it quotes (in that connection's direction), INVALID when it is short, has a bad checksum at
    // PREROUTING, an unknown type, quotes nothing known, or is addressed elsewhere than the quoted flow's end.
    private IcmpResult IcmpError(Packet packet, ReadOnlySpan<byte> data, int dataoff, ConntrackZone zone, bool verify)
    {
        if (data.Length < dataoff + 8)
        {
            return IcmpResult.Invalid;
        }

        if (verify && !TransportChecksumOk(data, dataoff, 1))
        {
            return IcmpResult.Invalid;
        }

        byte type = data[dataoff];
        if (type > 18)
        {
            return IcmpResult.Invalid;
        }

        if (type is not (3 or 4 or 5 or 11 or 12))
        {
            return IcmpResult.NotError;
        }

        int inner = dataoff + 8;
        if (data.Length < inner + 20 || (BinaryPrimitives.ReadUInt16BigEndian(data[(inner + 6)..]) & 0x1FFF) != 0)
        {
            return IcmpResult.Invalid;
        }

        int innerData = inner + (data[inner] & 0x0F) * 4;
        if (innerData > data.Length
            || !TryGetTuple(data, inner, innerData, data[inner + 9], out var quoted)
            || !TryInvert(quoted, out var answer))
        {
            return IcmpResult.Invalid;
        }

        var ct = Find(answer, zone, out var direction);
        if (ct is null)
        {
            return IcmpResult.Invalid;
        }

        if (ct.Tuple(direction).Destination != Ipv4Address.Read(data[16..]))
        {
            return IcmpResult.Invalid;
        }

        packet.Conntrack = ct;
        packet.CtInfo = direction == CtDirection.Reply ? CtInfo.RelatedReply : CtInfo.Related;
        return IcmpResult.Related;
    }
}
