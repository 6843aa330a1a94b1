using Sekisho.Netfilter.Conntrack;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>A packet and what the kernel knows about it: the bytes of the IP datagram, its link-layer header, and metadata.</summary>
/// <remarks>
/// Sekisho's <c>struct sk_buff</c>. The buffer keeps headroom in front of the network header for the link-layer
/// header (received frames keep theirs, which LOG prints as <c>MAC=</c>); <see cref="Length"/> is
/// <c>skb-&gt;len</c> at the IP layer, the number the kernel adds to rule counters. Packets are reused through a
/// <see cref="PacketPool"/>: nothing on the packet path allocates.
/// </remarks>
public sealed class Packet
{
    /// <summary>Headroom reserved in front of the network header.</summary>
    public const int Headroom = 64;

    private byte[] _buffer;
    private int _network;
    private int _length;
    private int _macLength;

    /// <summary>Creates an empty packet with room for <paramref name="capacity"/> bytes of IP datagram.</summary>
    public Packet(int capacity = 2048)
    {
        _buffer = new byte[Headroom + capacity];
        _network = Headroom;
    }

    /// <summary>The IP datagram: from the network header to the end (<c>skb-&gt;data</c> for <c>skb-&gt;len</c> bytes).</summary>
    public Span<byte> Data => new(_buffer, _network, _length);

    /// <summary>The length of the IP datagram (<c>skb-&gt;len</c>).</summary>
    public int Length => _length;

    /// <summary>The link-layer header the packet was received with (empty when none).</summary>
    public ReadOnlySpan<byte> MacHeader => new(_buffer, _network - _macLength, _macLength);

    /// <summary>Whether the packet has a link-layer header (<c>skb-&gt;mac_header != skb-&gt;network_header</c>).</summary>
    public bool HasMacHeader => _macLength != 0;

    /// <summary>The IPv4 header; the caller knows the packet holds one (the input path checks it before netfilter).</summary>
    public Ipv4Header Ip
    {
        get
        {
            Ipv4Header.TryCreate(Data, out var header);
            return header;
        }
    }

    /// <summary>The device the packet was received on (<c>skb-&gt;dev</c> on input), or null for local packets.</summary>
    public NetDevice? InDevice { get; set; }

    /// <summary>The device the packet leaves through, once routed (<c>skb_dst(skb)-&gt;dev</c>).</summary>
    public NetDevice? OutDevice { get; set; }

    /// <summary>
    /// For a datagram of the host's: the interface its socket chose (<c>flowi4_oif</c>: <c>IP_MULTICAST_IF</c>,
    /// <c>SO_BINDTODEVICE</c>), which routes multicast and limited-broadcast datagrams; null when it chose none.
    /// </summary>
    public NetDevice? OutputInterface { get; set; }

    /// <summary>The next hop chosen by routing (the destination itself when on-link).</summary>
    public Ipv4Address NextHop { get; set; }

    /// <summary>The type of the route chosen for the packet.</summary>
    public RouteType RouteType { get; set; }

    /// <summary>The firewall mark (<c>skb-&gt;mark</c>).</summary>
    public uint Mark { get; set; }

    /// <summary>The priority (<c>skb-&gt;priority</c>, set by CLASSIFY; read by nothing in Sekisho yet).</summary>
    public uint Priority { get; set; }

    /// <summary>The connection the packet belongs to (<c>skb-&gt;_nfct</c>), or null.</summary>
    public Connection? Conntrack { get; set; }

    /// <summary>How the packet relates to <see cref="Conntrack"/>; <see cref="CtInfo.Untracked"/> with no connection for untracked packets.</summary>
    public CtInfo CtInfo { get; set; }

    /// <summary>How the frame was addressed at the link layer.</summary>
    public PacketType PacketType { get; set; }

    /// <summary>The local socket of a packet sent by a process of the host, or null.</summary>
    public SocketInfo? Socket { get; set; }

    /// <summary>Where the packet entered the host.</summary>
    public PacketOrigin Origin { get; set; }

    /// <summary>When the packet was received or sent, as the engine's clock reads it.</summary>
    public DateTimeOffset Timestamp { get; set; }

    /// <summary>Whether TRACE marked the packet (<c>skb-&gt;nf_trace</c>).</summary>
    public bool NfTrace { get; set; }

    /// <summary>The largest fragment a reassembled datagram was made of (<c>IPCB(skb)-&gt;frag_max_size</c>), 0 when not reassembled.</summary>
    public int FragmentMaxSize { get; set; }

    /// <summary>
    /// The data lengths of the fragments a datagram reassembled for conntrack was made of, in offset order (the
    /// kernel's frag list, which <c>ip_do_fragment</c> reuses to refragment it); empty otherwise.
    /// </summary>
    public List<int> FragmentLengths { get; } = [];

    /// <summary>
    /// The segment size of a GSO/GRO datagram (<c>skb_shinfo(skb)-&gt;gso_size</c>): several TCP or UDP segments
    /// coalesced into one, which netfilter sees, counts and logs as one packet and the device segments again on output;
    /// 0 for an ordinary datagram.
    /// </summary>
    public int GsoSize { get; set; }

    /// <summary>The kind of segmentation of a GSO datagram, in <c>virtio_net_hdr</c>'s terms (1 TCP over IPv4, 5 UDP segmentation).</summary>
    public byte GsoType { get; set; }

    /// <summary>
    /// Whether every segment of this GSO datagram fits in <paramref name="mtu"/> (<c>skb_gso_validate_network_len</c>):
    /// the IP and transport headers plus <see cref="GsoSize"/>. False for an ordinary datagram.
    /// </summary>
    public bool GsoSegmentsFit(int mtu)
    {
        if (GsoSize == 0)
        {
            return false;
        }

        var data = Data;
        int ihl = (data[0] & 0x0F) * 4;
        int transport = data[9] == 6 && data.Length >= ihl + 13 ? (data[ihl + 12] >> 4) * 4 : 8;
        return ihl + transport + GsoSize <= mtu;
    }

    /// <summary>Whether the IP header or the whole datagram changed since the packet entered (checksums were kept up to date).</summary>
    public bool Modified { get; set; }

    /// <summary>
    /// Loads a received frame: <paramref name="linkHeaderLength"/> bytes of link-layer header followed by the IP datagram.
    /// </summary>
    public void LoadFrame(ReadOnlySpan<byte> frame, int linkHeaderLength)
    {
        ResetMetadata();
        int ipLength = frame.Length - linkHeaderLength;
        EnsureCapacity(ipLength, linkHeaderLength);
        _macLength = linkHeaderLength;
        _network = Math.Max(Headroom, linkHeaderLength);
        frame.CopyTo(_buffer.AsSpan(_network - linkHeaderLength));
        _length = ipLength;
    }

    /// <summary>Loads an IP datagram without a link-layer header.</summary>
    public void LoadDatagram(ReadOnlySpan<byte> datagram) => LoadFrame(datagram, 0);

    /// <summary>
    /// Makes room for a datagram of <paramref name="length"/> bytes without a link-layer header and returns it for the
    /// caller to fill (a generated packet).
    /// </summary>
    public Span<byte> Allocate(int length)
    {
        ResetMetadata();
        EnsureCapacity(length, 0);
        _macLength = 0;
        _network = Headroom;
        _length = length;
        var data = Data;
        data.Clear();
        return data;
    }

    /// <summary>Shortens the datagram (<c>pskb_trim</c>): the input path trims link-layer padding to the IP total length.</summary>
    public void Trim(int length)
    {
        if (length < _length)
        {
            _length = length;
        }
    }

    /// <summary>
    /// Changes the datagram's length, keeping its bytes (<c>skb_put</c> or <c>pskb_expand_head</c> for targets that
    /// grow a packet, such as TCPMSS adding an option).
    /// </summary>
    public Span<byte> Resize(int length)
    {
        if (length > _length)
        {
            EnsureCapacity(length, _macLength);
            _buffer.AsSpan(_network + _length, length - _length).Clear();
        }

        _length = length;
        return Data;
    }

    /// <summary>Forgets the link-layer header (the packet leaves the device it came from, or is sent by the host).</summary>
    public void DropMacHeader() => _macLength = 0;

    /// <summary>
    /// Writes a link-layer header of <paramref name="header"/>'s length in front of the datagram and returns the whole frame.
    /// </summary>
    public ReadOnlySpan<byte> Frame(ReadOnlySpan<byte> header)
    {
        var start = _buffer.AsSpan(_network - header.Length, header.Length);
        header.CopyTo(start);
        return new ReadOnlySpan<byte>(_buffer, _network - header.Length, header.Length + _length);
    }

    /// <summary>Copies the datagram, the link-layer header and all metadata from another packet.</summary>
    public void CopyFrom(Packet other)
    {
        LoadFrame(new ReadOnlySpan<byte>(other._buffer, other._network - other._macLength, other._macLength + other._length),
            other._macLength);
        InDevice = other.InDevice;
        OutDevice = other.OutDevice;
        OutputInterface = other.OutputInterface;
        NextHop = other.NextHop;
        RouteType = other.RouteType;
        Mark = other.Mark;
        Priority = other.Priority;
        Conntrack = other.Conntrack;
        CtInfo = other.CtInfo;
        PacketType = other.PacketType;
        Socket = other.Socket;
        Origin = other.Origin;
        Timestamp = other.Timestamp;
        NfTrace = other.NfTrace;
        FragmentMaxSize = other.FragmentMaxSize;
        GsoSize = other.GsoSize;
        GsoType = other.GsoType;
        FragmentLengths.AddRange(other.FragmentLengths);
        Modified = other.Modified;
    }

    /// <summary>Clears the metadata (the packet returns to its pool or is loaded anew).</summary>
    public void ResetMetadata()
    {
        InDevice = null;
        OutDevice = null;
        OutputInterface = null;
        NextHop = default;
        RouteType = RouteType.Unspecified;
        Mark = 0;
        Priority = 0;
        Conntrack = null;
        CtInfo = CtInfo.Established;
        PacketType = PacketType.Host;
        Socket = null;
        Origin = PacketOrigin.Received;
        Timestamp = default;
        NfTrace = false;
        FragmentMaxSize = 0;
        GsoSize = 0;
        GsoType = 0;
        FragmentLengths.Clear();
        Modified = false;
    }

    private void EnsureCapacity(int length, int linkHeaderLength)
    {
        int headroom = Math.Max(Headroom, linkHeaderLength);
        if (_buffer.Length < headroom + length)
        {
            var bigger = new byte[Math.Max(headroom + length, _buffer.Length * 2)];
            int keep = Math.Min(_length, length);
            if (keep > 0)
            {
                Buffer.BlockCopy(_buffer, _network - _macLength, bigger, headroom - _macLength, _macLength + keep);
            }

            _buffer = bigger;
            _network = headroom;
        }
    }
}
