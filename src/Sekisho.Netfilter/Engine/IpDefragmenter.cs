using System.Buffers;
using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>IPv4 reassembly: fragment queues keyed by source, destination, identification, protocol and user.</summary>
/// <remarks>
/// <para>
/// The kernel's <c>net/ipv4/ip_fragment.c</c> on <c>inet_fragment.c</c>, as <c>nf_defrag_ipv4</c> (users
/// <see cref="DefragUser.ConntrackIn"/>/<see cref="DefragUser.ConntrackOut"/>) and <c>ip_local_deliver</c>
/// (<see cref="DefragUser.LocalDeliver"/>) use it:
/// </para>
/// <list type="bullet">
/// <item>A queue lives 30 seconds from its first fragment (<c>ipfrag_time</c>); when it expires with its first
/// fragment in, an ICMP time exceeded (fragment reassembly) is sent about that fragment, by an end host only
/// (local delivery, or a conntrack queue whose destination routes locally). Expiry is checked as fragments arrive
/// (and on <see cref="Expire"/>), on the namespace clock.</item>
/// <item>No new queue is created while the queues hold more than 4 MiB (<c>ipfrag_high_thresh</c>; the low
/// threshold is unused since Linux 4.17). Memory is counted as the kernel's <c>truesize</c> estimate of each
/// queued fragment plus the queue itself.</item>
/// <item>A last fragment (MF clear) fixes the length; an end beyond it or a different end kills the queue. A
/// non-last fragment's length is cut to a multiple of 8. A zero-length fragment kills the queue. A fragment lying
/// wholly inside data already received (a duplicate) is dropped and the queue kept; any other overlap kills the
/// queue (RFC 5722, as <c>inet_frag_queue_insert</c> applies it to IPv4).</item>
/// <item>Mixing ECN-capable and not-ECT fragments fails the reassembly; a CE fragment makes the datagram CE.</item>
/// <item>The datagram keeps the header of the fragment at offset 0 (and its link-layer header), gets its total
/// length, offset 0, MF clear and DF set only when the largest fragment had DF; <see cref="Packet.FragmentMaxSize"/>
/// records the largest fragment, and for conntrack users (which do not coalesce, so the kernel keeps the frag list)
/// <see cref="Packet.FragmentLengths"/> the fragments' data lengths, which output uses to refragment.</item>
/// <item>A datagram longer than 65,535 bytes is dropped.</item>
/// </list>
/// <para>Not modelled: <c>ipfrag_max_dist</c> (per-peer reordering limit) and VRF keys.</para>
/// </remarks>
public sealed class IpDefragmenter
{
    /// <summary>How long a queue waits for its missing fragments (<c>net.ipv4.ipfrag_time</c>).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Above this much queued memory no new queue is created (<c>net.ipv4.ipfrag_high_thresh</c>).</summary>
    public const int HighThreshold = 4 * 1024 * 1024;

    private const int QueueSize = 192;
    private const ushort MoreFragments = 0x2000;
    private const ushort DontFragment = 0x4000;
    private const ushort OffsetMask = 0x1FFF;

    private readonly NetNamespace _net;
    private readonly Dictionary<Key, FragmentQueue> _queues = [];
    private readonly Stack<FragmentQueue> _free = new();
    private readonly List<FragmentQueue> _expired = [];

    /// <summary>Creates the reassembly state of a namespace.</summary>
    public IpDefragmenter(NetNamespace net)
    {
        _net = net;
    }

    /// <summary>The number of incomplete datagrams held.</summary>
    public int QueueCount => _queues.Count;

    /// <summary>The memory the queues account for (<c>frag_mem_limit</c>).</summary>
    public long MemoryUsed { get; private set; }

    /// <summary>
    /// Queues a fragment (<c>ip_defrag</c>); when it completes its datagram, the packet is turned into the whole
    /// datagram (keeping its metadata) and <see cref="DefragResult.Complete"/> is returned.
    /// </summary>
    public DefragResult Defragment(Packet packet, DefragUser user)
    {
        Expire();
        var data = packet.Data;
        int ihl = (data[0] & 0x0F) * 4;
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        var key = new Key(BinaryPrimitives.ReadUInt32BigEndian(data[12..]), BinaryPrimitives.ReadUInt32BigEndian(data[16..]),
            BinaryPrimitives.ReadUInt16BigEndian(data[4..]), data[9], user);
        if (!_queues.TryGetValue(key, out var queue))
        {
            if (MemoryUsed > HighThreshold)
            {
                return DefragResult.Dropped;
            }

            queue = _free.TryPop(out var reused) ? reused : new FragmentQueue();
            queue.Start(key, _net.Now + Timeout);
            _queues.Add(key, queue);
            MemoryUsed += QueueSize;
        }

        int offset = (fragment & OffsetMask) << 3;
        int end = offset + packet.Length - ihl;
        if ((fragment & MoreFragments) == 0)
        {
            if (end < queue.Length || (queue.LastIn && end != queue.Length))
            {
                Kill(queue);
                return DefragResult.Dropped;
            }

            queue.LastIn = true;
            queue.Length = end;
        }
        else
        {
            end &= ~7;
            if (end > queue.Length)
            {
                if (queue.LastIn)
                {
                    Kill(queue);
                    return DefragResult.Dropped;
                }

                queue.Length = end;
            }
        }

        if (end == offset)
        {
            Kill(queue);
            return DefragResult.Dropped;
        }

        switch (queue.Insert(offset, end))
        {
            case Insertion.Duplicate:
                return DefragResult.Dropped;
            case Insertion.Overlap:
                Kill(queue);
                return DefragResult.Dropped;
        }

        queue.Store(data.Slice(ihl, end - offset), offset);
        int trueSize = TrueSize(packet.Length + packet.MacHeader.Length);
        queue.Memory += trueSize;
        MemoryUsed += trueSize;
        if (offset == 0)
        {
            queue.FirstIn = true;
            queue.SetHead(packet.MacHeader, data[..ihl], end);
        }

        int fragmentSize = end - offset + ihl;
        queue.MaxSize = Math.Max(queue.MaxSize, fragmentSize);
        if ((fragment & DontFragment) != 0)
        {
            queue.MaxDfSize = Math.Max(queue.MaxDfSize, fragmentSize);
        }

        queue.Ecn |= EcnBit(data[1]);
        if (!queue.FirstIn || !queue.LastIn || queue.Meat != queue.Length)
        {
            return DefragResult.Held;
        }

        return Reassemble(queue, packet, user);
    }

    /// <summary>Forgets the queues whose time is up (<c>ip_expire</c>), sending the time exceeded messages an end host sends.</summary>
    public void Expire()
    {
        if (_queues.Count == 0)
        {
            return;
        }

        var now = _net.Now;
        foreach (var queue in _queues.Values)
        {
            if (now >= queue.Expires)
            {
                _expired.Add(queue);
            }
        }

        foreach (var queue in _expired)
        {
            _queues.Remove(queue.Key);
            if (queue.FirstIn && (queue.Key.User == DefragUser.LocalDeliver || IsLocal(queue.Key.Destination)))
            {
                var head = _net.Pool.Rent();
                queue.WriteHead(head);
                _net.Stack.SendIcmpError(head, 11, 1, 0);
                _net.Pool.Return(head);
            }

            Free(queue);
        }

        _expired.Clear();
    }

    private bool IsLocal(uint destination) => _net.Host.AddressType(new Ipv4Address(destination)) == RouteType.Local;

    // ip_frag_reasm
    private DefragResult Reassemble(FragmentQueue queue, Packet packet, DefragUser user)
    {
        _queues.Remove(queue.Key);
        int ihl = queue.HeadHeaderLength;
        int total = ihl + queue.Length;
        byte ecn = EcnTable(queue.Ecn);
        if (total > 65535 || ecn == 0xFF)
        {
            Free(queue);
            return DefragResult.Dropped;
        }

        var datagram = packet.Resize(total);
        queue.HeadHeader.AsSpan(0, ihl).CopyTo(datagram);
        queue.Payload.AsSpan(0, queue.Length).CopyTo(datagram[ihl..]);
        if (queue.HeadMacLength == packet.MacHeader.Length && queue.HeadMacLength > 0)
        {
            // The datagram is built in the head's skb (skb_morph): the first fragment's link-layer header.
            _ = packet.Frame(queue.HeadMac.AsSpan(0, queue.HeadMacLength));
        }

        BinaryPrimitives.WriteUInt16BigEndian(datagram[2..], (ushort)total);
        datagram[1] |= ecn;
        BinaryPrimitives.WriteUInt16BigEndian(datagram[6..], queue.MaxDfSize == queue.MaxSize ? DontFragment : (ushort)0);
        datagram[10] = 0;
        datagram[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(datagram[10..], Checksum.Compute(datagram[..ihl]));
        packet.FragmentMaxSize = Math.Max(queue.MaxDfSize, queue.MaxSize);
        packet.FragmentLengths.Clear();
        if (user != DefragUser.LocalDeliver)
        {
            queue.CopyGeometry(packet.FragmentLengths);
        }

        packet.Modified = true;
        Free(queue);
        return DefragResult.Complete;
    }

    private void Kill(FragmentQueue queue)
    {
        _queues.Remove(queue.Key);
        Free(queue);
    }

    private void Free(FragmentQueue queue)
    {
        MemoryUsed -= queue.Memory + QueueSize;
        queue.Clear();
        _free.Push(queue);
    }

    // SKB_TRUESIZE of a received frame: the data buffer (with NET_SKB_PAD headroom, cache-aligned), the shared
    // info and the sk_buff itself.
    private static int TrueSize(int frameLength) => ((frameLength + 64 + 63) & ~63) + 320 + 256;

    // ip4_frag_ecn: the IPFRAG_ECN_* bit of a fragment's ECN field.
    private static byte EcnBit(byte tos) => (byte)(1 << (tos & 3));

    // ip_frag_ecn_table: not-ECT mixed with ECT or CE is invalid (0xff); CE with ECT gives CE.
    private static byte EcnTable(byte bits)
    {
        const byte notEct = 1;
        const byte ce = 8;
        if ((bits & notEct) != 0 && bits != notEct)
        {
            return 0xFF;
        }

        return (bits & ce) != 0 && bits != ce ? (byte)3 : (byte)0;
    }

    private readonly record struct Key(uint Source, uint Destination, ushort Id, byte Protocol, DefragUser User);

    private enum Insertion : byte
    {
        Ok,
        Duplicate,
        Overlap,
    }

    /// <summary>One incomplete datagram (<c>struct ipq</c>).</summary>
    private sealed class FragmentQueue
    {
        private readonly List<(int Offset, int End)> _fragments = [];
        private readonly List<(int Start, int End)> _runs = [];
        private int _tailEnd;

        public Key Key { get; private set; }

        public DateTimeOffset Expires { get; private set; }

        public bool FirstIn { get; set; }

        public bool LastIn { get; set; }

        public int Length { get; set; }

        public int Meat { get; private set; }

        public int MaxSize { get; set; }

        public int MaxDfSize { get; set; }

        public byte Ecn { get; set; }

        public int Memory { get; set; }

        public byte[] Payload { get; private set; } = [];

        public byte[] HeadHeader { get; } = new byte[60];

        public int HeadHeaderLength { get; private set; }

        public byte[] HeadMac { get; } = new byte[Packet.Headroom];

        public int HeadMacLength { get; private set; }

        private int HeadDataLength { get; set; }

        public void Start(Key key, DateTimeOffset expires)
        {
            Key = key;
            Expires = expires;
        }

        // inet_frag_queue_insert
        public Insertion Insert(int offset, int end)
        {
            if (_fragments.Count == 0 || _tailEnd < end)
            {
                if (_fragments.Count > 0 && offset < _tailEnd)
                {
                    return Insertion.Overlap;
                }

                if (_fragments.Count > 0 && offset == _tailEnd)
                {
                    _runs[^1] = (_runs[^1].Start, end);
                }
                else
                {
                    _runs.Add((offset, end));
                }

                _fragments.Add((offset, end));
                _tailEnd = end;
            }
            else
            {
                int position = 0;
                foreach (var (start, runEnd) in _runs)
                {
                    if (end <= start)
                    {
                        break;
                    }

                    if (offset < runEnd)
                    {
                        return offset >= start && end <= runEnd ? Insertion.Duplicate : Insertion.Overlap;
                    }

                    position++;
                }

                _runs.Insert(position, (offset, end));
                int at = 0;
                while (at < _fragments.Count && _fragments[at].Offset < offset)
                {
                    at++;
                }

                _fragments.Insert(at, (offset, end));
            }

            Meat += end - offset;
            return Insertion.Ok;
        }

        public void Store(ReadOnlySpan<byte> payload, int offset)
        {
            int needed = offset + payload.Length;
            if (Payload.Length < needed)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 2048));
                Payload.AsSpan().CopyTo(bigger);
                if (Payload.Length > 0)
                {
                    ArrayPool<byte>.Shared.Return(Payload);
                }

                Payload = bigger;
            }

            payload.CopyTo(Payload.AsSpan(offset));
        }

        public void SetHead(ReadOnlySpan<byte> mac, ReadOnlySpan<byte> header, int dataLength)
        {
            HeadMacLength = Math.Min(mac.Length, HeadMac.Length);
            mac[..HeadMacLength].CopyTo(HeadMac);
            HeadHeaderLength = header.Length;
            header.CopyTo(HeadHeader);
            HeadDataLength = dataLength;
        }

        /// <summary>Loads the first fragment as it arrived (for the time exceeded message that quotes it).</summary>
        public void WriteHead(Packet packet)
        {
            var data = packet.Allocate(HeadHeaderLength + HeadDataLength);
            HeadHeader.AsSpan(0, HeadHeaderLength).CopyTo(data);
            Payload.AsSpan(0, HeadDataLength).CopyTo(data[HeadHeaderLength..]);
        }

        public void CopyGeometry(List<int> lengths)
        {
            foreach (var (offset, end) in _fragments)
            {
                lengths.Add(end - offset);
            }
        }

        public void Clear()
        {
            _fragments.Clear();
            _runs.Clear();
            _tailEnd = 0;
            FirstIn = LastIn = false;
            Length = Meat = MaxSize = MaxDfSize = Memory = 0;
            Ecn = 0;
            HeadHeaderLength = HeadMacLength = HeadDataLength = 0;
            if (Payload.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(Payload);
                Payload = [];
            }
        }
    }
}
