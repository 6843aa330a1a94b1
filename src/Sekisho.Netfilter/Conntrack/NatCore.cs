using System.Buffers.Binary;
using System.Numerics;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions.Targets;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>Network address translation: bindings kept in conntrack entries and the rewriting of packets.</summary>
/// <remarks>
/// The kernel's <c>nf_nat_core.c</c> (<see cref="SetupInfo"/> with <c>get_unique_tuple</c>, the null binding,
/// <c>nf_nat_packet</c>), <c>nf_nat_proto.c</c> (rewriting IPv4, TCP, UDP, UDP-Lite, SCTP, DCCP and ICMP headers
/// with incremental checksum updates; ICMP errors, whose quoted datagram is rewritten too) and the IPv4 hook
/// functions around the nat table (<c>nf_nat_ipv4_fn</c>, <c>nf_nat_inet_fn</c>, <c>nf_nat_ipv4_local_fn</c>).
/// Packets go through whole: conntrack reassembled them before.
/// </remarks>
public static class NatCore
{
    private const int MaxAttempts = 128;
    private const uint JhashInitval = 0xdeadbeef;

    /// <summary>Whether a hook manipulates the source (POSTROUTING, INPUT) or the destination (<c>HOOK2MANIP</c>).</summary>
    public static bool IsSourceHook(Hook hook) => hook is Hook.PostRouting or Hook.LocalIn;

    /// <summary>
    /// The nat table's hook function (<c>nf_nat_ipv4_fn</c> then <c>nf_nat_inet_fn</c>): ICMP errors related to a
    /// connection are translated from its binding; the first packet of a connection runs the table, and gets the
    /// null binding when no rule mapped it; every packet is then rewritten from the binding. On OUTPUT a packet
    /// whose destination the binding changes is routed again (<c>ip_route_me_harder</c>), and dropped when the new
    /// destination has no route.
    /// </summary>
    public static uint RunHook(CompiledTable table, PacketContext context)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        if (ct is null || ct.IsTemplate)
        {
            return NfVerdict.Accept;
        }

        bool source = IsSourceHook(context.Hook);
        var net = context.Net;
        var tracer = net.Tracer;
        ConntrackTuple before = default;
        bool traced = tracer is not null && TupleOfPacket(packet.Data, out before);
        uint verdict = HookCore(table, context, ct, source);
        if (traced && verdict == NfVerdict.Accept && TupleOfPacket(packet.Data, out var now) && now != before)
        {
            tracer!.Note(packet, TraceNote.Nat, $"{(source ? "SNAT" : "DNAT")} {Format(before)} -> {Format(now)}");
        }

        if (verdict == NfVerdict.Accept && context.Hook == Model.Hook.LocalOut && packet.Conntrack is { } after)
        {
            var direction = Direction(packet.CtInfo);
            var destination = after.Tuple(Other(direction)).Source;
            if (after.Tuple(direction).Destination != destination && !net.Reroute(packet))
            {
                // ip_route_me_harder failed: nf_nat_ipv4_local_fn drops the packet (the sender gets the error).
                tracer?.Note(packet, TraceNote.Dropped, $"no route to the translated destination {destination}");
                return NfVerdict.Drop;
            }
        }

        return verdict;
    }

    private static uint HookCore(CompiledTable table, PacketContext context, Connection ct, bool source)
    {
        var packet = context.Packet;
        var info = packet.CtInfo;
        if (info is CtInfo.Related or CtInfo.RelatedReply && packet.Data.Length >= 20 && packet.Data[9] == 1)
        {
            return IcmpReplyTranslation(packet, ct, info, source) ? NfVerdict.Accept : NfVerdict.Drop;
        }

        switch (info)
        {
            case CtInfo.Related:
            case CtInfo.RelatedReply:
            case CtInfo.New:
                if (!ct.NatInitialized(source))
                {
                    uint verdict = table.Run(context);
                    if (verdict != NfVerdict.Accept)
                    {
                        return verdict;
                    }

                    if (!ct.NatInitialized(source))
                    {
                        verdict = AllocNullBinding(context.Net.Conntrack, ct, source);
                        if (verdict != NfVerdict.Accept)
                        {
                            return verdict;
                        }
                    }
                }
                else if (OutputInterfaceChanged(ct, context))
                {
                    return KillChanged(context, ct);
                }

                break;
            default:
                if (OutputInterfaceChanged(ct, context))
                {
                    return KillChanged(context, ct);
                }

                break;
        }

        return Packet(ct, info, source, packet.Data) ? NfVerdict.Accept : NfVerdict.Drop;
    }

    // nf_nat_oif_changed: a masqueraded connection whose packets now leave by another device is killed.
    private static uint KillChanged(PacketContext context, Connection ct)
    {
        context.Net.Conntrack.Kill(ct);
        return NfVerdict.Drop;
    }

    private static bool OutputInterfaceChanged(Connection ct, PacketContext context) =>
        ct.MasqueradeIndex != 0 && context.Out is { } output && context.Hook == Model.Hook.PostRouting
        && Direction(context.Packet.CtInfo) == CtDirection.Original && output.Index != ct.MasqueradeIndex;

    /// <summary>
    /// Rewrites a packet from its connection's binding (<c>nf_nat_packet</c>): the source at POSTROUTING and INPUT,
    /// the destination at PREROUTING and OUTPUT, each when the connection's binding changes that part in the
    /// packet's direction. Returns false when the packet is too short to rewrite.
    /// </summary>
    public static bool Packet(Connection ct, CtInfo info, bool source, Span<byte> data)
    {
        var direction = Direction(info);
        var statusBit = source ? ConnectionStatus.SourceNat : ConnectionStatus.DestinationNat;
        if (direction == CtDirection.Reply)
        {
            statusBit ^= ConnectionStatus.SourceNat | ConnectionStatus.DestinationNat;
        }

        if ((ct.Status & statusBit) == 0)
        {
            return true;
        }

        ConntrackTable.TryInvert(ct.Tuple(Other(direction)), out var target);
        return ManipPacket(data, 0, target, source);
    }

    /// <summary>
    /// Sets up a binding for one kind of NAT (<c>nf_nat_setup_info</c>): the tuple the connection will have, unique
    /// in the table and within the range, becomes the inverse of its reply tuple; the status bits say what is
    /// rewritten and that this kind of NAT is done.
    /// </summary>
    public static uint SetupInfo(ConntrackTable table, Connection ct, in NatRange range, bool source)
    {
        if (ct.IsConfirmed || ct.NatInitialized(source))
        {
            return NfVerdict.Accept;
        }

        ConntrackTable.TryInvert(ct.Reply, out var current);
        var chosen = GetUniqueTuple(table, current, range, ct, source);
        if (chosen != current)
        {
            ConntrackTable.TryInvert(chosen, out var reply);
            ct.SetTuples(ct.Original, reply);
            ct.Status |= source ? ConnectionStatus.SourceNat : ConnectionStatus.DestinationNat;
        }

        if (source)
        {
            table.AddBySource(ct);
        }

        ct.Status |= source ? ConnectionStatus.SourceNatDone : ConnectionStatus.DestinationNatDone;
        return NfVerdict.Accept;
    }

    /// <summary>
    /// The identity binding of a connection no rule mapped (<c>__nf_nat_alloc_null_binding</c>): the address stays,
    /// but a source port that would clash with another connection's is still changed (implicit source-port
    /// remapping).
    /// </summary>
    public static uint AllocNullBinding(ConntrackTable table, Connection ct, bool source)
    {
        var reply = ct.Reply;
        var address = source ? reply.Destination : reply.Source;
        var range = new NatRange(NatRangeFlags.MapIps, address, address, 0, 0, 0);
        return SetupInfo(table, ct, range, source);
    }

    private static ConntrackTuple GetUniqueTuple(ConntrackTable table, in ConntrackTuple original, in NatRange range, Connection ct, bool source)
    {
        bool randomAll = (range.Flags & NatRangeFlags.ProtoRandomAll) != 0;
        if (source && !randomAll)
        {
            if (InRange(original, range))
            {
                if (!UsedTupleNew(table, original, ct))
                {
                    return original;
                }
            }
            else if (table.FindAppropriateSource(original, range, ct, out var mapped))
            {
                if (!UsedTuple(table, mapped, ct))
                {
                    return mapped;
                }
            }
        }

        var tuple = FindBestIps(original, range, ct, source);
        if (!randomAll)
        {
            if (range.MapsPorts)
            {
                if (!range.IsShifted && PortInRange(tuple, source, range.MinPort, range.MaxPort)
                    && (range.MinPort == range.MaxPort || !UsedTuple(table, tuple, ct)))
                {
                    return tuple;
                }
            }
            else if (!UsedTuple(table, tuple, ct))
            {
                return tuple;
            }
        }

        return UniqueTuple(table, tuple, range, source, ct);
    }

    /// <summary><c>nf_in_range</c>: the source address and port of a tuple are in the range.</summary>
    internal static bool InRange(in ConntrackTuple tuple, in NatRange range)
    {
        if (range.MapsAddresses && (tuple.Source.Value < range.MinAddress.Value || tuple.Source.Value > range.MaxAddress.Value))
        {
            return false;
        }

        return !range.MapsPorts || PortInRange(tuple, source: true, range.MinPort, range.MaxPort);
    }

    // l4proto_in_range: the ICMP id, or the port of the manipulated side; other protocols have no port.
    private static bool PortInRange(in ConntrackTuple tuple, bool source, ushort min, ushort max)
    {
        switch (tuple.Protocol)
        {
            case 1:
                return tuple.SourcePort >= min && tuple.SourcePort <= max;
            case 6:
            case 17:
            case 136:
            case 33:
            case 132:
                ushort port = source ? tuple.SourcePort : tuple.DestinationPort;
                return port >= min && port <= max;
            default:
                return true;
        }
    }

    // find_best_ips_proto: one address of the range, chosen by a hash of the source (and, unless persistent, of the
    // destination) so that a client keeps its address.
    private static ConntrackTuple FindBestIps(in ConntrackTuple tuple, in NatRange range, Connection ct, bool source)
    {
        if (!range.MapsAddresses)
        {
            return tuple;
        }

        Ipv4Address chosen;
        if (range.MinAddress == range.MaxAddress)
        {
            chosen = range.MinAddress;
        }
        else
        {
            // The kernel hashes the address words as they lie in memory: network order read little-endian.
            uint sourceWord = BinaryPrimitives.ReverseEndianness(tuple.Source.Value);
            uint destinationWord = BinaryPrimitives.ReverseEndianness(tuple.Destination.Value);
            bool persistent = (range.Flags & NatRangeFlags.Persistent) != 0;
            uint j = Jhash1(sourceWord, persistent ? 0 : destinationWord ^ ct.Zone);
            uint min = range.MinAddress.Value;
            uint distance = range.MaxAddress.Value - min + 1;
            chosen = new Ipv4Address(min + (uint)(((ulong)j * distance) >> 32));
        }

        return source
            ? new ConntrackTuple(chosen, tuple.Destination, tuple.Protocol, tuple.SourcePort, tuple.DestinationPort)
            : new ConntrackTuple(tuple.Source, chosen, tuple.Protocol, tuple.SourcePort, tuple.DestinationPort);
    }

    // jhash2 over the four words of the address union (nf_inet_addr): the IPv4 address, then zeros.
    private static uint Jhash1(uint word, uint initval)
    {
        uint a, b, c;
        a = b = c = JhashInitval + (4 << 2) + initval;
        a += word;
        a -= c; a ^= BitOperations.RotateLeft(c, 4); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 6); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 8); b += a;
        a -= c; a ^= BitOperations.RotateLeft(c, 16); c += b;
        b -= a; b ^= BitOperations.RotateLeft(a, 19); a += c;
        c -= b; c ^= BitOperations.RotateLeft(b, 4); b += a;
        c ^= b; c -= BitOperations.RotateLeft(b, 14);
        a ^= c; a -= BitOperations.RotateLeft(c, 11);
        b ^= a; b -= BitOperations.RotateLeft(a, 25);
        c ^= b; c -= BitOperations.RotateLeft(b, 16);
        a ^= c; a -= BitOperations.RotateLeft(c, 4);
        b ^= a; b -= BitOperations.RotateLeft(a, 14);
        c ^= b; c -= BitOperations.RotateLeft(b, 24);
        return c;
    }

    // nf_nat_l4proto_unique_tuple: searches the port range (the ICMP id range) from an offset — the distance from
    // the base port for shifted ranges, random for source NAT and --random, 0 for destination NAT — for a tuple
    // no other connection uses; at most 128 attempts, then ever smaller windows from new random offsets.
    private static ConntrackTuple UniqueTuple(ConntrackTable table, ConntrackTuple tuple, in NatRange range, bool source, Connection ct)
    {
        uint min;
        uint rangeSize;
        bool icmp = tuple.Protocol == 1;
        bool sourceKey = source || icmp;
        switch (tuple.Protocol)
        {
            case 1:
                if (!range.MapsPorts)
                {
                    min = 0;
                    rangeSize = 65536;
                }
                else
                {
                    min = range.MinPort;
                    rangeSize = (uint)(range.MaxPort - range.MinPort + 1);
                }

                break;
            case 6:
            case 17:
            case 136:
            case 132:
            case 33:
                if (!range.MapsPorts)
                {
                    if (!source)
                    {
                        return tuple;
                    }

                    ushort current = tuple.SourcePort;
                    if (current < 1024)
                    {
                        (min, rangeSize) = current < 512 ? (1u, 511u) : (600u, 424u);
                    }
                    else
                    {
                        min = 1024;
                        rangeSize = 65535 - 1024 + 1;
                    }
                }
                else
                {
                    uint low = range.MinPort;
                    uint high = range.MaxPort;
                    if (high < low)
                    {
                        (low, high) = (high, low);
                    }

                    min = low;
                    rangeSize = high - low + 1;
                }

                break;
            default:
                return tuple;
        }

        ushort key = sourceKey ? tuple.SourcePort : tuple.DestinationPort;
        var random = table.Net.Random;
        ushort offset;
        if (range.IsShifted)
        {
            offset = (ushort)(key - range.BasePort);
        }
        else if ((range.Flags & NatRangeFlags.ProtoRandomAll) != 0 || source)
        {
            offset = (ushort)random.Next(65536);
        }
        else
        {
            offset = 0;
        }

        uint attempts = Math.Min(rangeSize, MaxAttempts);
        while (true)
        {
            for (uint i = 0; i < attempts; i++, offset++)
            {
                ushort port = (ushort)(min + offset % rangeSize);
                tuple = sourceKey
                    ? new ConntrackTuple(tuple.Source, tuple.Destination, tuple.Protocol, port, tuple.DestinationPort)
                    : new ConntrackTuple(tuple.Source, tuple.Destination, tuple.Protocol, tuple.SourcePort, port);
                if (!UsedTuple(table, tuple, ct))
                {
                    return tuple;
                }
            }

            if (attempts >= rangeSize || attempts < 16)
            {
                return tuple;
            }

            attempts /= 2;
            offset = (ushort)random.Next(65536);
        }
    }

    // nf_nat_used_tuple: the answer to the tuple would belong to another connection.
    private static bool UsedTuple(ConntrackTable table, in ConntrackTuple tuple, Connection ignored)
    {
        ConntrackTable.TryInvert(tuple, out var reply);
        return table.TupleTaken(reply, ignored);
    }

    // nf_nat_used_tuple_new: as nf_nat_used_tuple, but a protocol that allows clashes (UDP) may keep a tuple whose
    // only clash is the reverse of a connection that is not translated.
    private static bool UsedTupleNew(ConntrackTable table, in ConntrackTuple tuple, Connection ignored)
    {
        if (!UsedTuple(table, tuple, ignored))
        {
            return false;
        }

        if (tuple.Protocol is not (17 or 136))
        {
            return true;
        }

        var zone = new ConntrackZone(ignored.Zone, ignored.ZoneDirections);
        var other = table.Find(tuple, zone, out _);
        if (other is null)
        {
            ConntrackTable.TryInvert(tuple, out var reply);
            other = table.Find(reply, zone, out _);
            if (other is null)
            {
                return false;
            }
        }

        if ((other.Status & (ConnectionStatus.SourceNat | ConnectionStatus.DestinationNat | ConnectionStatus.SequenceAdjust)) != 0)
        {
            return true;
        }

        return other.Original != ignored.Reply;
    }

    /// <summary>
    /// Rewrites the source or the destination of the IPv4 datagram at <paramref name="network"/> and of its
    /// transport header to the target tuple's (<c>nf_nat_ipv4_manip_pkt</c>), updating checksums incrementally.
    /// </summary>
    public static bool ManipPacket(Span<byte> data, int network, in ConntrackTuple target, bool source)
    {
        if (data.Length < network + 20)
        {
            return false;
        }

        int transport = network + (data[network] & 0x0F) * 4;
        if (!ManipTransport(data, network, transport, target, source))
        {
            return false;
        }

        int field = network + (source ? 12 : 16);
        uint old = BinaryPrimitives.ReadUInt32BigEndian(data[field..]);
        uint now = source ? target.Source.Value : target.Destination.Value;
        ushort check = BinaryPrimitives.ReadUInt16BigEndian(data[(network + 10)..]);
        BinaryPrimitives.WriteUInt16BigEndian(data[(network + 10)..], Checksum.Update32(check, old, now));
        BinaryPrimitives.WriteUInt32BigEndian(data[field..], now);
        return true;
    }

    // l4proto_manip_pkt: ports (and the checksums that cover them and the pseudo-header) per protocol; an ICMP
    // query's identifier; unknown protocols pass unchanged.
    private static bool ManipTransport(Span<byte> data, int network, int transport, in ConntrackTuple target, bool source)
    {
        switch (target.Protocol)
        {
            case 6:
                return ManipPorts(data, network, transport, target, source, fullHeader: 20, checksumAt: 16);
            case 33:
                return ManipPorts(data, network, transport, target, source, fullHeader: 12, checksumAt: 6);
            case 17:
            case 136:
            {
                if (data.Length < transport + 8)
                {
                    return false;
                }

                bool doChecksum = target.Protocol == 136 || BinaryPrimitives.ReadUInt16BigEndian(data[(transport + 6)..]) != 0;
                int portAt = transport + (source ? 0 : 2);
                ushort newPort = source ? target.SourcePort : target.DestinationPort;
                if (doChecksum)
                {
                    ushort check = BinaryPrimitives.ReadUInt16BigEndian(data[(transport + 6)..]);
                    check = AddressChecksumUpdate(data, network, check, target, source);
                    check = Checksum.Update16(check, BinaryPrimitives.ReadUInt16BigEndian(data[portAt..]), newPort);
                    BinaryPrimitives.WriteUInt16BigEndian(data[(transport + 6)..], check == 0 ? (ushort)0xFFFF : check);
                }

                BinaryPrimitives.WriteUInt16BigEndian(data[portAt..], newPort);
                return true;
            }

            case 132:
            {
                int size = data.Length >= transport + 12 ? 12 : 8;
                if (data.Length < transport + size)
                {
                    return false;
                }

                BinaryPrimitives.WriteUInt16BigEndian(data[(transport + (source ? 0 : 2))..], source ? target.SourcePort : target.DestinationPort);
                if (size == 12)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(data[(transport + 8)..], 0);
                    uint crc = Crc32c.Compute(data[transport..]);
                    BinaryPrimitives.WriteUInt32LittleEndian(data[(transport + 8)..], crc);
                }

                return true;
            }

            case 1:
            {
                if (data.Length < transport + 8)
                {
                    return false;
                }

                if (data[transport] is not (0 or 8 or 13 or 14 or 15 or 16 or 17 or 18))
                {
                    return true;
                }

                ushort id = BinaryPrimitives.ReadUInt16BigEndian(data[(transport + 4)..]);
                ushort check = BinaryPrimitives.ReadUInt16BigEndian(data[(transport + 2)..]);
                BinaryPrimitives.WriteUInt16BigEndian(data[(transport + 2)..], Checksum.Update16(check, id, target.SourcePort));
                BinaryPrimitives.WriteUInt16BigEndian(data[(transport + 4)..], target.SourcePort);
                return true;
            }

            default:
                return true;
        }
    }

    // tcp_manip_pkt / dccp_manip_pkt: only 8 bytes are sure to be there (a header quoted in an ICMP error); the
    // checksum is updated when the whole header is.
    private static bool ManipPorts(Span<byte> data, int network, int transport, in ConntrackTuple target, bool source, int fullHeader, int checksumAt)
    {
        int size = data.Length >= transport + fullHeader ? fullHeader : 8;
        if (data.Length < transport + size)
        {
            return false;
        }

        int portAt = transport + (source ? 0 : 2);
        ushort oldPort = BinaryPrimitives.ReadUInt16BigEndian(data[portAt..]);
        ushort newPort = source ? target.SourcePort : target.DestinationPort;
        BinaryPrimitives.WriteUInt16BigEndian(data[portAt..], newPort);
        if (size < fullHeader)
        {
            return true;
        }

        ushort check = BinaryPrimitives.ReadUInt16BigEndian(data[(transport + checksumAt)..]);
        check = AddressChecksumUpdate(data, network, check, target, source);
        check = Checksum.Update16(check, oldPort, newPort);
        BinaryPrimitives.WriteUInt16BigEndian(data[(transport + checksumAt)..], check);
        return true;
    }

    // nf_nat_ipv4_csum_update: the pseudo-header's address changes.
    private static ushort AddressChecksumUpdate(ReadOnlySpan<byte> data, int network, ushort check, in ConntrackTuple target, bool source)
    {
        uint old = BinaryPrimitives.ReadUInt32BigEndian(data[(network + (source ? 12 : 16))..]);
        uint now = source ? target.Source.Value : target.Destination.Value;
        return Checksum.Update32(check, old, now);
    }

    /// <summary>
    /// Translates an ICMP error related to a translated connection (<c>nf_nat_icmp_reply_translation</c>): the
    /// quoted datagram is rewritten back (the inverse manipulation, to the connection's tuple in the other
    /// direction), the ICMP checksum recomputed, then the outer header rewritten as the reply to that datagram.
    /// False drops the packet (bad checksum, a redirect about a translated connection).
    /// </summary>
    public static bool IcmpReplyTranslation(Packet packet, Connection ct, CtInfo info, bool source)
    {
        var data = packet.Data;
        int header = (data[0] & 0x0F) * 4;
        if (data.Length < header + 8 + 20)
        {
            return false;
        }

        if (!Checksum.Verify(data[header..]))
        {
            return false;
        }

        const ConnectionStatus natMask = ConnectionStatus.SourceNat | ConnectionStatus.DestinationNat;
        const ConnectionStatus doneMask = ConnectionStatus.SourceNatDone | ConnectionStatus.DestinationNatDone;
        if (data[header] == 5 && ((ct.Status & doneMask) != doneMask || (ct.Status & natMask) != 0))
        {
            return false;
        }

        var direction = Direction(info);
        var statusBit = source ? ConnectionStatus.SourceNat : ConnectionStatus.DestinationNat;
        if (direction == CtDirection.Reply)
        {
            statusBit ^= natMask;
        }

        if ((ct.Status & statusBit) == 0)
        {
            return true;
        }

        var otherTuple = ct.Tuple(Other(direction));
        if (!ManipPacket(data, header + 8, otherTuple, !source))
        {
            return false;
        }

        data[header + 2] = 0;
        data[header + 3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(data[(header + 2)..], Checksum.Compute(data[header..]));
        ConntrackTable.TryInvert(otherTuple, out var target);
        target = new ConntrackTuple(target.Source, target.Destination, 1, target.SourcePort, target.DestinationPort);
        return ManipPacket(data, 0, target, source);
    }

    /// <summary>The direction of a packet's conntrack state (<c>CTINFO2DIR</c>).</summary>
    public static CtDirection Direction(CtInfo info) =>
        info is CtInfo.EstablishedReply or CtInfo.RelatedReply ? CtDirection.Reply : CtDirection.Original;

    private static CtDirection Other(CtDirection direction) =>
        direction == CtDirection.Original ? CtDirection.Reply : CtDirection.Original;

    private static bool TupleOfPacket(ReadOnlySpan<byte> data, out ConntrackTuple tuple)
    {
        tuple = default;
        if (data.Length < 20)
        {
            return false;
        }

        int dataoff = (data[0] & 0x0F) * 4;
        return ConntrackTable.TryGetTuple(data, 0, dataoff, data[9], out tuple);
    }

    private static string Format(in ConntrackTuple tuple) => tuple.Protocol switch
    {
        6 or 17 or 136 or 132 or 33 => $"{tuple.Source}:{tuple.SourcePort} > {tuple.Destination}:{tuple.DestinationPort}",
        1 => $"{tuple.Source} > {tuple.Destination} id {tuple.SourcePort}",
        _ => $"{tuple.Source} > {tuple.Destination}",
    };
}
