using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>The connection tracking table of a network namespace and its hook functions.</summary>
/// <remarks>
/// <para>
/// The kernel's <c>nf_conntrack</c>: <see cref="In"/> is <c>nf_conntrack_in</c> (PREROUTING and OUTPUT, priority
/// -200), <see cref="Confirm"/> is <c>nf_conntrack_confirm</c> (INPUT and POSTROUTING, last), <see cref="Defragment"/>
/// is <c>nf_defrag_ipv4</c> (PREROUTING and OUTPUT, priority -400).
/// </para>
/// <para>
/// Entries are kept in two chained hash tables, one keyed by the original tuple and one by the reply tuple (the
/// kernel keeps both tuple hashes of an entry in one table); chains link through the connections themselves, so a
/// lookup allocates nothing. A new connection is attached to its first packet unconfirmed and enters the table
/// when that packet is delivered or leaves (<see cref="Confirm"/>). Expired entries disappear from lookups and
/// listings at once (the kernel's lookups and its garbage collector do the same, a little later).
/// </para>
/// </remarks>
public sealed partial class ConntrackTable
{
    private const int InitialBuckets = 1024;
    private const int EvictionRange = 8;

    private Connection?[] _byOriginal = new Connection?[InitialBuckets];
    private Connection?[] _byReply = new Connection?[InitialBuckets];
    private int _count;
    private uint _rateLimitBegin;
    private int _rateLimitPrinted;
    private int _rateLimitMissed;
    private bool _rateLimitStarted;

    /// <summary>Creates the table of a namespace.</summary>
    public ConntrackTable(NetNamespace net)
    {
        Net = net;
    }

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <summary>The number of entries, expired ones not yet collected included (<c>nf_conntrack_count</c>).</summary>
    public int Count => _count;

    /// <summary>The most entries the table holds (<c>net.netfilter.nf_conntrack_max</c>); 0 means no limit.</summary>
    public int Max { get; set; } = 262144;

    /// <summary>Whether checksums are verified at PREROUTING (<c>net.netfilter.nf_conntrack_checksum</c>).</summary>
    public bool VerifyChecksums { get; set; } = true;

    /// <summary>Whether TCP connections are picked up in the middle (<c>nf_conntrack_tcp_loose</c>).</summary>
    public bool TcpLoose { get; set; } = true;

    /// <summary>Whether only out-of-window RSTs are invalid (<c>nf_conntrack_tcp_be_liberal</c>).</summary>
    public bool TcpBeLiberal { get; set; }

    /// <summary>Retransmissions after which the shorter timeout applies (<c>nf_conntrack_tcp_max_retrans</c>).</summary>
    public int TcpMaxRetrans { get; set; } = 3;

    /// <summary>The UDP timeout without replies, in seconds (<c>nf_conntrack_udp_timeout</c>).</summary>
    public uint UdpTimeout { get; set; } = 30;

    /// <summary>The UDP timeout of a stream, in seconds (<c>nf_conntrack_udp_timeout_stream</c>).</summary>
    public uint UdpStreamTimeout { get; set; } = 120;

    /// <summary>The ICMP timeout, in seconds (<c>nf_conntrack_icmp_timeout</c>).</summary>
    public uint IcmpTimeout { get; set; } = 30;

    /// <summary>The GRE timeout without replies, in seconds (<c>nf_conntrack_gre_timeout</c>).</summary>
    public uint GreTimeout { get; set; } = 30;

    /// <summary>The GRE timeout once replied, in seconds (<c>nf_conntrack_gre_timeout_stream</c>).</summary>
    public uint GreStreamTimeout { get; set; } = 180;

    /// <summary>The timeout of other protocols, in seconds (<c>nf_conntrack_generic_timeout</c>).</summary>
    public uint GenericTimeout { get; set; } = 600;

    /// <summary>The 32-bit jiffies the kernel stamps conntrack timeouts with (<c>nfct_time_stamp</c>).</summary>
    public uint Now32 => (uint)Net.Jiffies;

    /// <summary>Reassembles fragments before conntrack sees them.</summary>
    /// <returns><see cref="NfVerdict.Accept"/> with a whole datagram in the packet, or <see cref="NfVerdict.Stolen"/> while fragments are held.</returns>
    public uint Defragment(PacketContext context)
    {
        // ipv4_conntrack_defrag: a packet already tracked (looped back) or untracked is left alone.
        var packet = context.Packet;
        if (packet.Conntrack is not null || packet.CtInfo == CtInfo.Untracked
            || (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(packet.Data[6..]) & 0x3FFF) == 0)
        {
            return NfVerdict.Accept;
        }

        var user = context.Hook == Sekisho.Netfilter.Model.Hook.LocalOut ? DefragUser.ConntrackOut : DefragUser.ConntrackIn;
        return Net.Defragmenter.Defragment(packet, user) == DefragResult.Complete ? NfVerdict.Accept : NfVerdict.Stolen;
    }

    /// <summary>
    /// Reassembles a fragment on local delivery (<c>ip_defrag</c> in <c>ip_local_deliver</c>): false while the
    /// datagram is incomplete (the fragment is held); true with the whole datagram in the packet.
    /// </summary>
    public bool Reassemble(Packet packet) => Net.Defragmenter.Defragment(packet, DefragUser.LocalDeliver) == DefragResult.Complete;

    /// <summary>Attaches the packet to its connection, creating an unconfirmed one for a new flow.</summary>
    /// <remarks>
    /// <c>nf_conntrack_in</c>: packets already attached (looped back) or untracked are left alone; a template
    /// (CT target) gives the zone; non-first fragments and ICMP errors quoting nothing known are INVALID (no
    /// connection); the protocol tracker may declare the packet INVALID, which detaches it, or ask for a new
    /// lookup (TCP reopening a closed connection). A full table drops the packet.
    /// </remarks>
    public uint In(PacketContext context)
    {
        var packet = context.Packet;
        var template = packet.Conntrack;
        if (template is not null || packet.CtInfo == CtInfo.Untracked)
        {
            if ((template is not null && !template.IsTemplate) || packet.CtInfo == CtInfo.Untracked)
            {
                return NfVerdict.Accept;
            }

            packet.Conntrack = null;
        }

        packet.CtInfo = CtInfo.Established;
        ReadOnlySpan<byte> data = packet.Data;
        if (data.Length < 20 || (BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x1FFF) != 0)
        {
            return NfVerdict.Accept;
        }

        int dataoff = (data[0] & 0x0F) * 4;
        if (dataoff > data.Length)
        {
            return NfVerdict.Accept;
        }

        byte protocol = data[9];
        var zone = ZoneOf(template, packet);
        bool verify = VerifyChecksums && context.Hook == Hook.PreRouting;
        if (protocol == 1)
        {
            switch (IcmpError(packet, data, dataoff, zone, verify))
            {
                case IcmpResult.Invalid:
                case IcmpResult.Related:
                    return NfVerdict.Accept;
            }
        }

        if (!TryGetTuple(data, 0, dataoff, protocol, out var tuple))
        {
            return NfVerdict.Accept;
        }

        uint now = Now32;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            var ct = Find(tuple, zone, now, out var direction);
            if (ct is null)
            {
                if (!TryInvert(tuple, out var reply))
                {
                    return NfVerdict.Accept;
                }

                if (!MakeRoom(tuple.Hash(zone.IdFor(CtDirection.Original))))
                {
                    return NfVerdict.Drop;
                }

                ct = new Connection(tuple, reply);
                if (template is not null)
                {
                    ct.Zone = zone.Id;
                    ct.ZoneDirections = zone.Directions;
                }

                direction = CtDirection.Original;
            }

            CtInfo info;
            if (direction == CtDirection.Reply)
            {
                info = CtInfo.EstablishedReply;
            }
            else if ((ct.Status & ConnectionStatus.SeenReply) != 0)
            {
                info = CtInfo.Established;
            }
            else
            {
                info = (ct.Status & ConnectionStatus.Expected) != 0 ? CtInfo.Related : CtInfo.New;
            }

            packet.Conntrack = ct;
            packet.CtInfo = info;
            var verdict = protocol switch
            {
                6 => TcpTracker.IsBroken(data, dataoff, verify)
                    ? TrackVerdict.Invalid
                    : TcpTracker.Packet(this, ct, data, dataoff, direction),
                17 or 136 => UdpPacket(ct, data, dataoff, verify && protocol == 17),
                1 => IcmpPacket(ct),
                47 => GrePacket(ct),
                _ => Generic(ct),
            };
            switch (verdict)
            {
                case TrackVerdict.Accept:
                    if (info == CtInfo.EstablishedReply)
                    {
                        ct.Status |= ConnectionStatus.SeenReply;
                    }

                    return NfVerdict.Accept;
                case TrackVerdict.Repeat:
                    packet.Conntrack = null;
                    packet.CtInfo = CtInfo.Established;
                    continue;
                case TrackVerdict.Drop:
                    packet.Conntrack = null;
                    packet.CtInfo = CtInfo.Established;
                    return NfVerdict.Drop;
                default:
                    packet.Conntrack = null;
                    packet.CtInfo = CtInfo.Established;
                    return NfVerdict.Accept;
            }
        }

        return NfVerdict.Accept;
    }

    /// <summary>Puts a new connection into the table once its first packet leaves the host or is delivered.</summary>
    /// <remarks>
    /// <c>__nf_conntrack_confirm</c>: only the original direction confirms; the timeout, relative until now,
    /// becomes absolute; a tuple already in the table (a clash) leaves the packet with the entry there when both
    /// describe the same flow, and drops it otherwise.
    /// </remarks>
    public uint Confirm(PacketContext context)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        if (ct is null || ct.IsTemplate || ct.IsConfirmed)
        {
            return NfVerdict.Accept;
        }

        if (packet.CtInfo is CtInfo.EstablishedReply or CtInfo.RelatedReply)
        {
            return NfVerdict.Accept;
        }

        if ((ct.Status & ConnectionStatus.Dying) != 0)
        {
            return NfVerdict.Drop;
        }

        var zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
        var existing = Find(ct.Original, zone, out _) ?? Find(ct.Reply, zone, out _);
        if (existing is not null)
        {
            if (existing.Original == ct.Original && existing.Reply == ct.Reply)
            {
                packet.Conntrack = existing;
                return NfVerdict.Accept;
            }

            return NfVerdict.Drop;
        }

        ct.Timeout += Now32;
        ct.Status |= ConnectionStatus.Confirmed;
        Insert(ct);
        if ((ct.Status & ConnectionStatus.SourceNat) != 0)
        {
            SourceTranslated++;
        }

        if ((ct.Status & ConnectionStatus.DestinationNat) != 0)
        {
            DestinationTranslated++;
        }

        return NfVerdict.Accept;
    }

    /// <summary>Connections confirmed with a source translation (SNAT, MASQUERADE, NETMAP, a remapped port) since the table was created.</summary>
    public long SourceTranslated { get; private set; }

    /// <summary>Connections confirmed with a destination translation (DNAT, REDIRECT, NETMAP) since the table was created.</summary>
    public long DestinationTranslated { get; private set; }

    /// <summary>Releases a dropped packet's reference: an unconfirmed connection dies with it.</summary>
    public void Release(Packet packet)
    {
        packet.Conntrack = null;
    }

    /// <summary>
    /// Attaches a packet the host generates in answer to another (a TCP reset of REJECT, an ICMP error) to the other
    /// packet's connection, in the opposite direction, as RELATED (<c>nf_ct_attach</c>).
    /// </summary>
    public static void Attach(Packet generated, Packet cause)
    {
        var ct = cause.Conntrack;
        if (ct is null)
        {
            return;
        }

        generated.Conntrack = ct;
        generated.CtInfo = cause.CtInfo is CtInfo.EstablishedReply or CtInfo.RelatedReply ? CtInfo.Related : CtInfo.RelatedReply;
    }

    /// <summary>The live connection a tuple belongs to in a zone, and the direction it has there (<c>nf_conntrack_find_get</c>).</summary>
    public Connection? Find(in ConntrackTuple tuple, ConntrackZone zone, out CtDirection direction) =>
        Find(tuple, zone, Now32, out direction);

    /// <summary>The live connection a tuple belongs to, at a time read once by the caller (jiffies).</summary>
    public Connection? Find(in ConntrackTuple tuple, ConntrackZone zone, uint now, out CtDirection direction)
    {
        uint hash = tuple.Hash(zone.IdFor(CtDirection.Original));
        int mask = _byOriginal.Length - 1;
        var ct = _byOriginal[hash & mask];
        while (ct is not null)
        {
            var next = ct.NextOriginal;
            if (ct.Matches(CtDirection.Original, tuple) && ct.ZoneId(CtDirection.Original) == zone.IdFor(CtDirection.Original))
            {
                if (IsExpired(ct, now))
                {
                    Kill(ct);
                }
                else
                {
                    direction = CtDirection.Original;
                    return ct;
                }
            }

            ct = next;
        }

        ct = _byReply[hash & mask];
        while (ct is not null)
        {
            var next = ct.NextReply;
            if (ct.Matches(CtDirection.Reply, tuple) && ct.ZoneId(CtDirection.Reply) == zone.IdFor(CtDirection.Reply))
            {
                if (IsExpired(ct, now))
                {
                    Kill(ct);
                }
                else
                {
                    direction = CtDirection.Reply;
                    return ct;
                }
            }

            ct = next;
        }

        direction = CtDirection.Original;
        return null;
    }

    /// <summary>Every live (confirmed, unexpired) connection, in table order.</summary>
    public IEnumerable<Connection> Connections
    {
        get
        {
            uint now = Now32;
            var buckets = _byOriginal;
            for (int i = 0; i < buckets.Length; i++)
            {
                for (var ct = buckets[i]; ct is not null; ct = ct.NextOriginal)
                {
                    if (!IsExpired(ct, now))
                    {
                        yield return ct;
                    }
                }
            }
        }
    }

    /// <summary>Removes a connection from the table (<c>nf_ct_kill</c>); it is marked dying.</summary>
    public void Kill(Connection ct)
    {
        if ((ct.Status & ConnectionStatus.Dying) != 0)
        {
            return;
        }

        ct.Status |= ConnectionStatus.Dying;
        RemoveBySource(ct);
        if (!ct.IsConfirmed)
        {
            return;
        }

        var zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
        int mask = _byOriginal.Length - 1;
        Unlink(_byOriginal, (int)(ct.Original.Hash(zone.IdFor(CtDirection.Original)) & mask), ct, original: true);
        Unlink(_byReply, (int)(ct.Reply.Hash(zone.IdFor(CtDirection.Reply)) & mask), ct, original: false);
        _count--;
    }

    /// <summary>Removes every entry (<c>conntrack -F</c>).</summary>
    public void Flush()
    {
        foreach (var ct in Snapshot())
        {
            Kill(ct);
        }

        Array.Clear(_byOriginal);
        Array.Clear(_byReply);
        _bySource.Clear();
        _count = 0;
    }

    /// <summary>Sets the timeout of a connection from now on (<c>nf_ct_refresh</c>): relative while unconfirmed.</summary>
    public void Refresh(Connection ct, uint jiffies)
    {
        if ((ct.Status & ConnectionStatus.FixedTimeout) != 0)
        {
            return;
        }

        ct.Timeout = ct.IsConfirmed ? jiffies + Now32 : jiffies;
    }

    /// <summary>Whether a confirmed connection's time is up (<c>nf_ct_is_expired</c>).</summary>
    public static bool IsExpired(Connection ct, uint now) => ct.IsConfirmed && (int)(ct.Timeout - now) <= 0;

    /// <summary>
    /// Adds a connection as <c>conntrack -I</c> does: it is confirmed with its timeout (jiffies from now); false
    /// when either of its tuples is already in the table.
    /// </summary>
    public bool Add(Connection ct, uint timeout)
    {
        ArgumentNullException.ThrowIfNull(ct);
        var zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
        if (ct.IsConfirmed || Find(ct.Original, zone, out _) is not null || Find(ct.Reply, zone, out _) is not null)
        {
            return false;
        }

        ct.Status |= ConnectionStatus.Confirmed;
        ct.Timeout = Now32 + timeout;
        Insert(ct);
        return true;
    }

    /// <summary>Adds a confirmed connection to the table (a restored entry, or one confirmed by a packet).</summary>
    internal void Insert(Connection ct)
    {
        if (_count >= _byOriginal.Length)
        {
            Grow();
        }

        var zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
        int mask = _byOriginal.Length - 1;
        int original = (int)(ct.Original.Hash(zone.IdFor(CtDirection.Original)) & mask);
        int reply = (int)(ct.Reply.Hash(zone.IdFor(CtDirection.Reply)) & mask);
        ct.NextOriginal = _byOriginal[original];
        _byOriginal[original] = ct;
        ct.NextReply = _byReply[reply];
        _byReply[reply] = ct;
        _count++;
    }

    private List<Connection> Snapshot()
    {
        var all = new List<Connection>(_count);
        foreach (var head in _byOriginal)
        {
            for (var ct = head; ct is not null; ct = ct.NextOriginal)
            {
                all.Add(ct);
            }
        }

        return all;
    }

    private static void Unlink(Connection?[] buckets, int bucket, Connection ct, bool original)
    {
        Connection? previous = null;
        var current = buckets[bucket];
        while (current is not null)
        {
            var next = original ? current.NextOriginal : current.NextReply;
            if (ReferenceEquals(current, ct))
            {
                if (previous is null)
                {
                    buckets[bucket] = next;
                }
                else if (original)
                {
                    previous.NextOriginal = next;
                }
                else
                {
                    previous.NextReply = next;
                }

                return;
            }

            previous = current;
            current = next;
        }
    }

    private void Grow()
    {
        var all = Snapshot();
        _byOriginal = new Connection?[_byOriginal.Length * 2];
        _byReply = new Connection?[_byReply.Length * 2];
        _count = 0;
        foreach (var ct in all)
        {
            Insert(ct);
        }
    }

    // The table-full check of __nf_conntrack_alloc: expired entries go first (the garbage collector's work), then
    // early_drop looks at a few buckets from the new tuple's for an entry that is not assured; failing that, the
    // new packet is dropped with the kernel's rate-limited warning.
    private bool MakeRoom(uint hash)
    {
        if (Max == 0 || _count + 1 <= Max)
        {
            return true;
        }

        uint now = Now32;
        foreach (var ct in Snapshot())
        {
            if (IsExpired(ct, now))
            {
                Kill(ct);
            }
        }

        if (_count + 1 <= Max || EarlyDrop(hash))
        {
            return true;
        }

        WarnTableFull();
        return false;
    }

    private bool EarlyDrop(uint hash)
    {
        int mask = _byOriginal.Length - 1;
        int bucket = (int)(hash & mask);
        for (int i = 0; i < EvictionRange; i++, bucket = (bucket + 1) & mask)
        {
            for (var ct = _byOriginal[bucket]; ct is not null; ct = ct.NextOriginal)
            {
                if ((ct.Status & ConnectionStatus.Assured) == 0)
                {
                    Kill(ct);
                    return true;
                }
            }

            for (var ct = _byReply[bucket]; ct is not null; ct = ct.NextReply)
            {
                if ((ct.Status & ConnectionStatus.Assured) == 0)
                {
                    Kill(ct);
                    return true;
                }
            }
        }

        return false;
    }

    // net_warn_ratelimited: ten messages per five seconds, then a count of the suppressed ones.
    private void WarnTableFull()
    {
        uint now = Now32;
        if (!_rateLimitStarted)
        {
            _rateLimitStarted = true;
            _rateLimitBegin = now;
        }

        if ((int)(now - (_rateLimitBegin + 5 * NetNamespace.Hz)) > 0)
        {
            if (_rateLimitMissed > 0)
            {
                Net.Log.Write(4, $"net_ratelimit: {_rateLimitMissed} callbacks suppressed", Net.Now);
            }

            _rateLimitBegin = now;
            _rateLimitPrinted = 0;
            _rateLimitMissed = 0;
        }

        if (_rateLimitPrinted < 10)
        {
            _rateLimitPrinted++;
            Net.Log.Write(4, "nf_conntrack: table full, dropping packet", Net.Now);
        }
        else
        {
            _rateLimitMissed++;
        }
    }

    // nf_ct_zone_tmpl: the template's zone, or the packet mark's when the template says so.
    private static ConntrackZone ZoneOf(Connection? template, Packet packet)
    {
        if (template is null)
        {
            return ConntrackZone.Default;
        }

        byte directions = (byte)(template.ZoneDirections & Connection.ZoneBoth);
        return template.ZoneFromMark
            ? new ConntrackZone((ushort)packet.Mark, directions)
            : new ConntrackZone(template.Zone, directions);
    }

    /// <summary>
    /// <c>nf_ct_get_tuple</c> for IPv4: addresses from the IP header at <paramref name="network"/>, ports (TCP,
    /// UDP, UDP-Lite, SCTP, DCCP) or the ICMP type, code and identifier from the transport header at
    /// <paramref name="dataoff"/>; other protocols only by address.
    /// </summary>
    public static bool TryGetTuple(ReadOnlySpan<byte> data, int network, int dataoff, byte protocol, out ConntrackTuple tuple)
    {
        tuple = default;
        if (data.Length < network + 20)
        {
            return false;
        }

        var source = Ipv4Address.Read(data[(network + 12)..]);
        var destination = Ipv4Address.Read(data[(network + 16)..]);
        switch (protocol)
        {
            case 6:
            case 17:
            case 136:
            case 132:
            case 33:
                if (data.Length < dataoff + 4)
                {
                    return false;
                }

                tuple = new ConntrackTuple(source, destination, protocol, BinaryPrimitives.ReadUInt16BigEndian(data[dataoff..]),
                    BinaryPrimitives.ReadUInt16BigEndian(data[(dataoff + 2)..]));
                return true;
            case 1:
                if (data.Length < dataoff + 8)
                {
                    return false;
                }

                tuple = new ConntrackTuple(source, destination, protocol, BinaryPrimitives.ReadUInt16BigEndian(data[(dataoff + 4)..]),
                    (ushort)((data[dataoff] << 8) | data[dataoff + 1]));
                return true;
            default:
                tuple = new ConntrackTuple(source, destination, protocol, 0, 0);
                return true;
        }
    }

    /// <summary>
    /// <c>nf_ct_invert_tuple</c>: the tuple of the answer. ICMP queries invert to their replies (echo, timestamp,
    /// information, address mask); other ICMP types have no inverse.
    /// </summary>
    public static bool TryInvert(in ConntrackTuple tuple, out ConntrackTuple inverse)
    {
        if (tuple.Protocol == 1)
        {
            int type = tuple.IcmpType switch
            {
                8 => 0,
                0 => 8,
                13 => 14,
                14 => 13,
                15 => 16,
                16 => 15,
                17 => 18,
                18 => 17,
                _ => -1,
            };
            if (type < 0)
            {
                inverse = default;
                return false;
            }

            inverse = new ConntrackTuple(tuple.Destination, tuple.Source, 1, tuple.SourcePort, (ushort)((type << 8) | tuple.IcmpCode));
            return true;
        }

        inverse = new ConntrackTuple(tuple.Destination, tuple.Source, tuple.Protocol, tuple.DestinationPort, tuple.SourcePort);
        return true;
    }

    /// <summary>Whether a transport checksum over the rest of the datagram is right (<c>nf_checksum</c> on a packet without offload).</summary>
    internal static bool TransportChecksumOk(ReadOnlySpan<byte> data, int dataoff, byte protocol)
    {
        int length = data.Length - dataoff;
        uint sum = protocol == 1
            ? 0
            : Checksum.PseudoHeader(Ipv4Address.Read(data[12..]), Ipv4Address.Read(data[16..]), protocol, length);
        return Checksum.Verify(data[dataoff..], sum);
    }
}
