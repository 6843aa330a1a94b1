namespace Sekisho.Netfilter.Conntrack;

/// <summary>The TCP window tracking data of a connection.</summary>
/// <remarks>
/// The kernel's <c>struct ip_ct_tcp</c> with its two <c>struct ip_ct_tcp_state</c> (<c>seen[0]</c> for the
/// original direction's sender, <c>seen[1]</c> for the reply's); the scale and flags of each side are kept
/// outside the per-side structure, which keeps a connection within 128 bytes.
/// </remarks>
internal struct TcpTrack
{
    public TcpPeer Seen0;
    public TcpPeer Seen1;
    public uint LastSeq;
    public uint LastAck;
    public uint LastEnd;
    public ushort LastWin;
    public byte Scale0;
    public byte Scale1;
    public byte Flags0;
    public byte Flags1;
    public TcpConntrackState State;
    public byte LastDir;
    public byte Retrans;
    public byte LastIndex;
    public byte LastWscale;
    public byte LastFlags;
}

/// <summary>What is known of one side's sequence space (<c>td_end</c>, <c>td_maxend</c>, <c>td_maxwin</c>, <c>td_maxack</c>).</summary>
internal struct TcpPeer
{
    public uint End;
    public uint MaxEnd;
    public uint MaxWin;
    public uint MaxAck;
}
