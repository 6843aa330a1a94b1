using System.Buffers.Binary;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>The host's own network stack, as far as the firewall sees it: what it answers to what it receives.</summary>
/// <remarks>
/// <para>
/// When <see cref="HostModel.RespondsLocally"/> is on: echo requests get echo replies (<c>icmp_echo</c>, and
/// timestamp requests timestamp replies with the namespace clock's time, <c>icmp_timestamp</c>), TCP
/// segments to closed ports get resets (<c>tcp_v4_send_reset</c>), SYNs to listening ports a SYN-ACK, UDP
/// datagrams to closed ports get port unreachables, protocols without a handler protocol unreachables; the
/// answers go through OUTPUT and POSTROUTING like the kernel's. Segments and datagrams whose checksum is wrong
/// are dropped silently, as the kernel's receive functions drop them.
/// </para>
/// <para>
/// ICMP errors (<see cref="SendIcmpError(Packet, byte, byte, uint)"/>) follow <c>__icmp_send</c>: nothing about other hosts' frames,
/// broadcasts and multicasts, non-first fragments or ICMP errors; the source address (the destination of the
/// offending packet when it was for the host, else the address routing picks); TOS
/// <c>(tos &amp; IPTOS_TOS_MASK) | IPTOS_PREC_INTERNETCONTROL</c>; as much of the offending datagram as fits in
/// 576 bytes; the global rate limit (<c>icmp_msgs_per_sec</c>, <c>icmp_msgs_burst</c>, for the types of
/// <c>icmp_ratemask</c>, skipped for packets received on loopback) and the per-destination token bucket
/// (<c>icmp_ratelimit</c>, burst of six, skipped when the reply leaves through loopback). The kernel charges the
/// global bucket a random 0 to 2 credits per message; Sekisho charges the mean, one. IP options of the offending
/// packet are not echoed. No ICMP message is sent while the ICMP socket is sending another (<c>icmp_xmit_lock</c>):
/// a REJECT in OUTPUT of the host's own echo reply or ICMP error answers nothing. An error belongs to the
/// connection of the datagram it quotes (<c>nf_ct_attach</c> in <c>icmp_glue_bits</c>), as RELATED.
/// </para>
/// <para>
/// The TCP model answers one segment at a time, without connections: a SYN to a listening port gets a SYN-ACK
/// (sequence number from a hash, as the kernel's is unpredictable), other segments to a listening port get
/// nothing.
/// </para>
/// </remarks>
public sealed class LocalStack
{
    private const int TokenBurstFactor = 6;
    private const ushort IpDontFragment = 0x4000;

    private readonly Dictionary<uint, Peer> _peers = [];
    private int _globalCredit;
    private ulong _globalStamp;
    private bool _globalStamped;
    private bool _icmpSending;

    internal LocalStack(NetNamespace net)
    {
        Net = net;
    }

    /// <summary>
    /// The IP ID the next datagram the host sends without DF gets (an ICMP error, for instance), then counting up.
    /// </summary>
    /// <remarks>
    /// The kernel's <c>ip_select_ident</c> draws these from a keyed hash of the addresses, which cannot be
    /// reproduced; differential tests mask them, and a scenario can set the value a document shows.
    /// </remarks>
    public ushort NextIdentifier { get; set; } = 1;

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <summary>The minimum time between ICMP messages of rate-limited types to one destination, in milliseconds (<c>net.ipv4.icmp_ratelimit</c>).</summary>
    public int IcmpRateLimit { get; set; } = 1000;

    /// <summary>The ICMP types that are rate-limited, one bit per type (<c>net.ipv4.icmp_ratemask</c>).</summary>
    public int IcmpRateMask { get; set; } = 6168;

    /// <summary>The ICMP messages per second allowed for the whole host (<c>net.ipv4.icmp_msgs_per_sec</c>).</summary>
    public int IcmpMessagesPerSecond { get; set; } = 1000;

    /// <summary>The burst of the global ICMP limit (<c>net.ipv4.icmp_msgs_burst</c>).</summary>
    public int IcmpMessagesBurst { get; set; } = 50;

    /// <summary>The IP protocols the host has a handler for; others are answered with protocol unreachable.</summary>
    /// <remarks>ICMP, IGMP, TCP, UDP and UDP-Lite, as a kernel without tunnel, IPsec or SCTP modules loaded.</remarks>
    public HashSet<byte> Protocols { get; } = [1, 2, 6, 17, 136];

    /// <summary>Takes a packet INPUT accepted (<c>ip_local_deliver_finish</c>) and answers it as the host would.</summary>
    public void Deliver(Packet packet)
    {
        if (!Net.Host.RespondsLocally)
        {
            return;
        }

        var data = packet.Data;
        if (data.Length < 20)
        {
            return;
        }

        // The kernel answers reassembled datagrams only; a fragment that reaches here was not reassembled.
        if ((BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x3FFF) != 0)
        {
            return;
        }

        int ihl = (data[0] & 0x0F) * 4;
        switch (data[9])
        {
            case 1:
                ReceiveIcmp(packet, ihl);
                break;
            case 6:
                ReceiveTcp(packet, ihl);
                break;
            case 17:
                ReceiveUdp(packet, ihl);
                break;
            default:
                if (!Protocols.Contains(data[9]))
                {
                    SendIcmpError(packet, 3, 2, 0);
                }

                break;
        }
    }

    /// <summary>Sends an ICMP error about <paramref name="cause"/> (<c>icmp_send</c>), quoting its whole datagram as far as it fits.</summary>
    public void SendIcmpError(Packet cause, byte type, byte code, uint info) =>
        SendIcmpError(cause, type, code, info, cause.Length);

    /// <summary>
    /// Sends an ICMP error about <paramref name="cause"/> (<c>icmp_send</c>) when the kernel would: for
    /// <c>REJECT</c> (<c>nf_send_unreach</c>), the forwarding path and the host's own protocols.
    /// <paramref name="quotable"/> is the length of the datagram as the caller's <c>skb</c> holds it (UDP trims to
    /// its own length).
    /// </summary>
    public void SendIcmpError(Packet cause, byte type, byte code, uint info, int quotable)
    {
        var data = cause.Data;
        if (data.Length < 20)
        {
            return;
        }

        // No replies to link-layer broadcasts and multicasts, nor to broadcast and multicast routes.
        if (cause.PacketType != PacketType.Host || cause.RouteType is RouteType.Broadcast or RouteType.Multicast)
        {
            return;
        }

        // Only to the first fragment.
        if ((BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x1FFF) != 0)
        {
            return;
        }

        int ihl = (data[0] & 0x0F) * 4;
        if (IsError(type) && data[9] == 1)
        {
            // Never an error about an error (unknown types count as errors).
            if (data.Length <= ihl)
            {
                return;
            }

            byte inner = data[ihl];
            if (inner > 18 || IsError(inner))
            {
                return;
            }
        }

        bool applyLimit = false;
        if (cause.InDevice is not { IsLoopback: true } && !GlobalAllow(type, code, out applyLimit))
        {
            return;
        }

        // icmp_xmit_lock: an ICMP message caused while the ICMP socket sends another one is not sent.
        if (_icmpSending)
        {
            return;
        }

        var offendingSource = Ipv4Address.Read(data[12..]);
        var route = Net.Host.RouteOutput(offendingSource);
        if (route.Device is null)
        {
            return;
        }

        var source = cause.RouteType == RouteType.Local ? Ipv4Address.Read(data[16..]) : route.Source;
        if (source.Value == 0)
        {
            // INADDR_DUMMY rather than 0.0.0.0.
            source = new Ipv4Address(192, 0, 0, 8);
        }

        if (!PeerAllow(route, offendingSource, applyLimit))
        {
            return;
        }

        int room = Math.Min(route.Device.Mtu, 576) - 20 - 8;
        if (room <= 20)
        {
            return;
        }

        int quoted = Math.Min(Math.Min(quotable, data.Length), room);
        byte tos = IsError(type) ? (byte)((data[1] & 0x1E) | 0xC0) : data[1];
        var reply = Net.Pool.Rent();
        var ip = reply.Allocate(20 + 8 + quoted);
        WriteIpHeader(ip, tos, NextId(), 0, 1, source, offendingSource);
        var icmp = ip[20..];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], info);
        data[..quoted].CopyTo(icmp[8..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum.Compute(icmp));

        // icmp_glue_bits: an error belongs to the connection of the datagram it quotes (nf_ct_attach).
        ConntrackTable.Attach(reply, cause);
        SendIcmp(reply, cause);
    }

    // The ICMP socket sends: while it does (the reply's way through OUTPUT and POSTROUTING), it is locked. It is a
    // kernel socket (owner matches see one without an owner).
    private void SendIcmp(Packet reply, Packet cause)
    {
        reply.Socket = SocketInfo.Kernel;
        _icmpSending = true;
        try
        {
            Net.SendGenerated(reply, cause);
        }
        finally
        {
            _icmpSending = false;
        }
    }

    /// <summary>
    /// Sends the TCP reset of <c>REJECT --reject-with tcp-reset</c> (<c>nf_send_reset</c>) when the kernel would:
    /// not for fragments, resets, broadcasts and segments whose checksum is wrong. The reset comes from the
    /// offending packet's destination, with DF, ID 0 and TOS 0, and belongs to its connection.
    /// </summary>
    public void SendReset(Packet cause, bool verifyChecksum)
    {
        var data = cause.Data;
        if (data.Length < 20 || data[9] != 6 || (BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x1FFF) != 0)
        {
            return;
        }

        int ihl = (data[0] & 0x0F) * 4;
        if (data.Length < ihl + 20)
        {
            return;
        }

        var tcp = data[ihl..];
        if ((tcp[13] & TcpHeader.Rst) != 0)
        {
            return;
        }

        if (verifyChecksum && !DatagramChecksumValid(data, ihl))
        {
            return;
        }

        if (cause.RouteType is RouteType.Broadcast or RouteType.Multicast)
        {
            return;
        }

        var reply = Net.Pool.Rent();
        var ip = reply.Allocate(40);
        var source = Ipv4Address.Read(data[16..]);
        var destination = Ipv4Address.Read(data[12..]);
        WriteIpHeader(ip, 0, 0, IpDontFragment, 6, source, destination);
        WriteReset(ip[20..], tcp, (uint)data.Length - (uint)ihl);
        FinishTcp(ip, source, destination);
        ConntrackTable.Attach(reply, cause);
        Net.SendGenerated(reply, cause);
    }

    /// <summary>
    /// Whether the transport checksum of a received datagram is right, as <c>nf_ip_checksum</c> checks it for a
    /// packet without checksum offload: over the whole datagram, with the pseudo-header for TCP and UDP.
    /// </summary>
    public static bool DatagramChecksumValid(ReadOnlySpan<byte> data, int ihl)
    {
        byte protocol = data[9];
        uint pseudo = 0;
        if (protocol is 6 or 17)
        {
            pseudo = Checksum.PseudoHeader(Ipv4Address.Read(data[12..]), Ipv4Address.Read(data[16..]), protocol, data.Length - ihl);
        }

        return Checksum.Verify(data, pseudo);
    }

    // icmp_rcv for the types the host answers: echo and timestamp; everything else is taken without a word.
    private void ReceiveIcmp(Packet packet, int ihl)
    {
        var data = packet.Data;
        if (data.Length < ihl + 8)
        {
            return;
        }

        var icmp = data[ihl..];
        if (!Checksum.Verify(icmp))
        {
            return;
        }

        byte type = icmp[0];
        bool broadcast = packet.RouteType is RouteType.Broadcast or RouteType.Multicast;
        if (broadcast && Net.Host.IgnoreBroadcastEcho && type is 8 or 13)
        {
            return;
        }

        if ((type == 8 && Net.Host.IgnoreEcho) || (type == 13 && icmp.Length < 12) || type is not (8 or 13))
        {
            return;
        }

        var requester = Ipv4Address.Read(data[12..]);
        var route = Net.Host.RouteOutput(requester);
        if (route.Device is null || _icmpSending)
        {
            return;
        }

        // fib_compute_spec_dst: the address asked, or for a broadcast the input device's address towards the requester.
        var source = broadcast ? Net.Host.SelectSource(packet.InDevice, requester) : Ipv4Address.Read(data[16..]);
        var reply = Net.Pool.Rent();
        var ip = reply.Allocate(20 + (type == 8 ? icmp.Length : 20));
        WriteIpHeader(ip, data[1], NextId(), 0, 1, source, requester);
        var answer = ip[20..];
        if (type == 8)
        {
            // icmp_echo: the request's header (code included) and data come back as they were.
            icmp.CopyTo(answer);
            answer[0] = 0;
        }
        else
        {
            // icmp_timestamp: the originate time, then receive and transmit times in ms since midnight UTC.
            icmp[..12].CopyTo(answer);
            answer[0] = 14;
            answer[1] = 0;
            var now = packet.Timestamp == default ? Net.Now : packet.Timestamp;
            uint sinceMidnight = (uint)(now.ToUnixTimeMilliseconds() % 86_400_000);
            BinaryPrimitives.WriteUInt32BigEndian(answer[12..], sinceMidnight);
            BinaryPrimitives.WriteUInt32BigEndian(answer[16..], sinceMidnight);
        }

        answer[2] = 0;
        answer[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(answer[2..], Checksum.Compute(answer));
        SendIcmp(reply, packet);
    }

    // tcp_v4_rcv without a socket: checks, then tcp_v4_send_reset (or a SYN-ACK for a listening port).
    private void ReceiveTcp(Packet packet, int ihl)
    {
        var data = packet.Data;
        if (packet.PacketType != PacketType.Host || data.Length < ihl + 20)
        {
            return;
        }

        var tcp = data[ihl..];
        int doff = (tcp[12] >> 4) * 4;
        if (doff < 20 || doff > tcp.Length)
        {
            return;
        }

        var source = Ipv4Address.Read(data[12..]);
        var destination = Ipv4Address.Read(data[16..]);
        if (!packet.InDevice!.IsLoopback &&
            !Checksum.Verify(tcp, Checksum.PseudoHeader(source, destination, 6, tcp.Length)))
        {
            return;
        }

        byte flags = tcp[13];
        if ((flags & TcpHeader.Rst) != 0 || packet.RouteType != RouteType.Local)
        {
            return;
        }

        ushort port = BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]);
        if (Net.Host.TcpListeners.Contains(port))
        {
            if ((flags & (TcpHeader.Syn | TcpHeader.Ack)) == TcpHeader.Syn)
            {
                SendSynAck(packet, tcp, source, destination);
            }

            return;
        }

        if (Net.Host.RouteOutput(source).Device is null)
        {
            return;
        }

        var reply = Net.Pool.Rent();
        var ip = reply.Allocate(40);

        // ip_send_unicast_reply: the TOS of the segment without its ECN bits, DF, ID 0 (no connected socket).
        WriteIpHeader(ip, (byte)(data[1] & ~0x03), 0, IpDontFragment, 6, destination, source);
        WriteReset(ip[20..], tcp, (uint)tcp.Length);
        FinishTcp(ip, destination, source);

        // Sent through TCP's control socket (a kernel socket), unlike REJECT's reset, which has none.
        reply.Socket = SocketInfo.Kernel;
        Net.SendGenerated(reply, packet);
    }

    // A SYN-ACK for a listening socket: the MSS of the route, the options the SYN offered, window 65160.
    private void SendSynAck(Packet packet, ReadOnlySpan<byte> syn, Ipv4Address peer, Ipv4Address local)
    {
        var route = Net.Host.RouteOutput(peer);
        if (route.Device is null)
        {
            return;
        }

        bool sackPermitted = false;
        bool windowScale = false;
        uint peerTimestamp = 0;
        bool timestamps = false;
        int doff = (syn[12] >> 4) * 4;
        for (int i = 20; i < doff;)
        {
            byte kind = syn[i];
            if (kind == 0)
            {
                break;
            }

            if (kind == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= doff || syn[i + 1] < 2 || i + syn[i + 1] > doff)
            {
                break;
            }

            switch (kind)
            {
                case 3:
                    windowScale = true;
                    break;
                case 4:
                    sackPermitted = true;
                    break;
                case 8 when syn[i + 1] == 10:
                    timestamps = true;
                    peerTimestamp = BinaryPrimitives.ReadUInt32BigEndian(syn[(i + 2)..]);
                    break;
            }

            i += syn[i + 1];
        }

        int optionLength = 4 + (timestamps ? 12 : sackPermitted ? 4 : 0) + (windowScale ? 4 : 0);
        var reply = Net.Pool.Rent();
        var ip = reply.Allocate(40 + optionLength);
        WriteIpHeader(ip, 0, 0, IpDontFragment, 6, local, peer);
        var tcp = ip[20..];
        syn[..2].CopyTo(tcp[2..]);
        syn.Slice(2, 2).CopyTo(tcp);
        uint isn = InitialSequence(local, peer, syn);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], isn);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], BinaryPrimitives.ReadUInt32BigEndian(syn[4..]) + 1);
        tcp[12] = (byte)(((20 + optionLength) / 4) << 4);
        tcp[13] = TcpHeader.Syn | TcpHeader.Ack;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65160);
        var options = tcp[20..];
        options[0] = 2;
        options[1] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(options[2..], (ushort)(route.Device.Mtu - 40));
        int at = 4;
        if (timestamps)
        {
            if (sackPermitted)
            {
                options[at++] = 4;
                options[at++] = 2;
            }
            else
            {
                options[at++] = 1;
                options[at++] = 1;
            }

            options[at++] = 8;
            options[at++] = 10;
            BinaryPrimitives.WriteUInt32BigEndian(options[at..], (uint)(Net.Jiffies * 4));
            BinaryPrimitives.WriteUInt32BigEndian(options[(at + 4)..], peerTimestamp);
            at += 8;
        }
        else if (sackPermitted)
        {
            options[at++] = 1;
            options[at++] = 1;
            options[at++] = 4;
            options[at++] = 2;
        }

        if (windowScale)
        {
            options[at++] = 1;
            options[at++] = 3;
            options[at++] = 3;
            options[at] = 7;
        }

        FinishTcp(ip, local, peer);
        Net.SendGenerated(reply, packet);
    }

    private static uint InitialSequence(Ipv4Address local, Ipv4Address peer, ReadOnlySpan<byte> syn)
    {
        uint hash = local.Value * 2654435761u ^ peer.Value * 40503u ^ BinaryPrimitives.ReadUInt32BigEndian(syn) * 2246822519u;
        return hash ^ (hash >> 15);
    }

    // __udp4_lib_rcv without a socket: length and checksum checks, no answer to broadcasts, then port unreachable.
    private void ReceiveUdp(Packet packet, int ihl)
    {
        var data = packet.Data;
        if (data.Length < ihl + 8)
        {
            return;
        }

        var udp = data[ihl..];
        int length = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (length > udp.Length || length < 8)
        {
            return;
        }

        ushort check = BinaryPrimitives.ReadUInt16BigEndian(udp[6..]);
        var source = Ipv4Address.Read(data[12..]);
        var destination = Ipv4Address.Read(data[16..]);
        if (check != 0 && !packet.InDevice!.IsLoopback &&
            !Checksum.Verify(udp[..length], Checksum.PseudoHeader(source, destination, 17, length)))
        {
            return;
        }

        if (packet.RouteType is RouteType.Broadcast or RouteType.Multicast)
        {
            return;
        }

        if (Net.Host.UdpListeners.Contains(BinaryPrimitives.ReadUInt16BigEndian(udp[2..])))
        {
            return;
        }

        // pskb_trim_rcsum has cut the datagram to the UDP length: icmp_send quotes no more. The datagram has left
        // its connection (nf_reset_ct): the error finds it again through conntrack's lookup.
        packet.Conntrack = null;
        SendIcmpError(packet, 3, 3, 0, ihl + length);
    }

    // The reset of nf_reject_ip_tcphdr_put and tcp_v4_send_reset: ports swapped; the acknowledged number as
    // sequence when the segment had ACK, else an ACK of everything it carried.
    private static void WriteReset(Span<byte> reset, ReadOnlySpan<byte> tcp, uint segmentLength)
    {
        tcp[..2].CopyTo(reset[2..]);
        tcp.Slice(2, 2).CopyTo(reset);
        reset[12] = 5 << 4;
        byte flags = tcp[13];
        if ((flags & TcpHeader.Ack) != 0)
        {
            tcp.Slice(8, 4).CopyTo(reset[4..]);
            reset[13] = TcpHeader.Rst;
        }
        else
        {
            uint sequence = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]);
            uint consumed = (uint)(flags & TcpHeader.Syn) / TcpHeader.Syn + (uint)(flags & TcpHeader.Fin)
                + segmentLength - (uint)((tcp[12] >> 4) * 4);
            BinaryPrimitives.WriteUInt32BigEndian(reset[8..], sequence + consumed);
            reset[13] = TcpHeader.Rst | TcpHeader.Ack;
        }
    }

    private static void FinishTcp(Span<byte> ip, Ipv4Address source, Ipv4Address destination)
    {
        var tcp = ip[20..];
        tcp[16] = 0;
        tcp[17] = 0;
        ushort check = Checksum.Finish(Checksum.Add(tcp, Checksum.PseudoHeader(source, destination, 6, tcp.Length)));
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], check);
    }

    private void WriteIpHeader(Span<byte> ip, byte tos, ushort id, ushort flags, byte protocol, Ipv4Address source, Ipv4Address destination)
    {
        ip[0] = 0x45;
        ip[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ip.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], flags);
        ip[8] = Net.Host.DefaultTtl;
        ip[9] = protocol;
        source.Write(ip[12..]);
        destination.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..20]));
    }

    // The generator of IP IDs for datagrams without DF: the kernel's is a keyed hash, not reproducible.
    private ushort NextId() => NextIdentifier++;

    private static bool IsError(byte type) => type is 1 or 2 or 3 or 4 or 5 or 6 or 7 or 9 or 10 or 11 or 12;

    // icmpv4_global_allow: types outside the rate mask (and fragmentation needed) always pass.
    private bool GlobalAllow(byte type, byte code, out bool applyLimit)
    {
        applyLimit = false;
        if (type > 18 || (type == 3 && code == 4) || ((1 << type) & IcmpRateMask) == 0)
        {
            return true;
        }

        if (_globalCredit > 0)
        {
            applyLimit = true;
            return true;
        }

        ulong now = Net.Jiffies;
        ulong delta = _globalStamped ? Math.Min(now - _globalStamp, (ulong)NetNamespace.Hz) : NetNamespace.Hz;
        if (delta < NetNamespace.Hz / 50)
        {
            return false;
        }

        int increment = (int)((ulong)IcmpMessagesPerSecond * delta / NetNamespace.Hz);
        if (increment == 0)
        {
            return false;
        }

        _globalStamp = now;
        _globalStamped = true;
        _globalCredit = Math.Min(_globalCredit + increment, IcmpMessagesBurst);
        applyLimit = true;
        return true;
    }

    // icmpv4_xrlim_allow with inet_peer_xrlim_allow: a token bucket per destination, tokens in jiffies.
    private bool PeerAllow(RouteResult route, Ipv4Address destination, bool applyLimit)
    {
        if (!applyLimit)
        {
            return true;
        }

        bool allowed = true;
        if (route.Device is not { IsLoopback: true })
        {
            allowed = TakeToken(destination, (ulong)IcmpRateLimit * NetNamespace.Hz / 1000, TokenBurstFactor);
        }

        if (allowed)
        {
            _globalCredit--;
        }

        return allowed;
    }

    /// <summary>
    /// The token bucket of the host's record of a peer (<c>inet_peer</c>), shared by ICMP errors and the
    /// forwarding path's unreachables: tokens accumulate in jiffies up to <paramref name="burst"/> costs; a
    /// message costs <paramref name="cost"/> jiffies.
    /// </summary>
    internal bool TakeToken(Ipv4Address peerAddress, ulong cost, int burst)
    {
        ulong now = Net.Jiffies;
        if (!_peers.TryGetValue(peerAddress.Value, out var peer))
        {
            // inet_getpeer: a new peer's last time lies a minute back, so its bucket starts full.
            peer = new Peer { Last = now - 60 * NetNamespace.Hz };
            _peers.Add(peerAddress.Value, peer);
        }

        ulong tokens = peer.Tokens;
        ulong delta = now - peer.Last;
        if (delta != 0)
        {
            peer.Last = now;
            tokens = Math.Min(tokens + delta, (ulong)burst * cost);
        }

        bool allowed = false;
        if (tokens >= cost)
        {
            tokens -= cost;
            allowed = true;
        }

        peer.Tokens = tokens;
        return allowed;
    }

    /// <summary>
    /// The network unreachable of <c>ip_error</c> for a forwarded packet no route leads on: its own token bucket
    /// on the sender's peer record (one message a second, burst five), then <see cref="SendIcmpError(Packet, byte, byte, uint)"/>.
    /// </summary>
    public void SendUnreachable(Packet cause)
    {
        var data = cause.Data;
        if (data.Length < 20)
        {
            return;
        }

        var source = Ipv4Address.Read(data[12..]);
        ulong now = Net.Jiffies;
        if (!_peers.TryGetValue(source.Value, out var peer))
        {
            peer = new Peer { Last = now - 60 * NetNamespace.Hz };
            _peers.Add(source.Value, peer);
        }

        ulong tokens = Math.Min(peer.Tokens + (now - peer.Last), 5UL * NetNamespace.Hz);
        peer.Last = now;
        bool send = tokens >= NetNamespace.Hz;
        peer.Tokens = send ? tokens - NetNamespace.Hz : tokens;
        if (send)
        {
            SendIcmpError(cause, 3, 0, 0);
        }
    }

    private sealed class Peer
    {
        public ulong Tokens { get; set; }

        public ulong Last { get; set; }
    }
}
