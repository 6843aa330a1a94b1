using System.Text;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>A tracked connection.</summary>
/// <remarks>
/// The kernel's <c>struct nf_conn</c>: the tuples of both directions (<c>tuplehash[]</c>; the reply tuple is
/// kept apart from the original so that NAT can change it), status bits, mark, zone, the timeout in jiffies and
/// the protocol's state (<c>ct-&gt;proto</c>). The fields are laid out flat so that an entry, links of both hash
/// chains included, takes 128 bytes.
/// </remarks>
public sealed class Connection
{
    internal Connection? NextOriginal;
    internal Connection? NextReply;
    internal TcpTrack Tcp;

    /// <summary>The index of the device MASQUERADE took the address of (<c>nat-&gt;masq_index</c>); 0 otherwise.</summary>
    internal ushort MasqueradeIndex;

    private uint _originalSource;
    private uint _originalDestination;
    private uint _replySource;
    private uint _replyDestination;
    private ushort _originalSourcePort;
    private ushort _originalDestinationPort;
    private ushort _replySourcePort;
    private ushort _replyDestinationPort;
    private ushort _status;
    private byte _protocol;
    private byte _zoneDirections = ZoneBoth;

    internal const byte ZoneOriginalBit = 1;
    internal const byte ZoneReplyBit = 2;
    internal const byte ZoneBoth = ZoneOriginalBit | ZoneReplyBit;

    /// <summary>Creates a connection for a tuple and its reply.</summary>
    public Connection(in ConntrackTuple original, in ConntrackTuple reply)
    {
        SetTuples(original, reply);
    }

    /// <summary>Creates an empty connection (a template for the CT target).</summary>
    internal Connection()
    {
    }

    /// <summary>The status bits.</summary>
    /// <remarks>Kept in 16 bits, which hold every IPS_* bit an IPv4 connection uses (up to IPS_HW_OFFLOAD), so that a connection stays within 128 bytes.</remarks>
    public ConnectionStatus Status
    {
        get => (ConnectionStatus)_status;
        set => _status = (ushort)value;
    }

    /// <summary>The connection mark (<c>ct-&gt;mark</c>), which CONNMARK and connmark use.</summary>
    public uint Mark { get; set; }

    /// <summary>The zone (<c>ct-&gt;zone.id</c>).</summary>
    public ushort Zone { get; set; }

    /// <summary>
    /// The timeout (<c>ct-&gt;timeout</c>): while the connection is unconfirmed, a number of jiffies; once
    /// confirmed, the 32-bit jiffies value at which it expires.
    /// </summary>
    public uint Timeout { get; set; }

    /// <summary>The layer-4 protocol.</summary>
    public byte Protocol => _protocol;

    /// <summary>The tuple of the original direction (<c>tuplehash[IP_CT_DIR_ORIGINAL]</c>).</summary>
    public ConntrackTuple Original =>
        new(new Ipv4Address(_originalSource), new Ipv4Address(_originalDestination), _protocol, _originalSourcePort, _originalDestinationPort);

    /// <summary>The tuple of the reply direction (<c>tuplehash[IP_CT_DIR_REPLY]</c>).</summary>
    public ConntrackTuple Reply =>
        new(new Ipv4Address(_replySource), new Ipv4Address(_replyDestination), _protocol, _replySourcePort, _replyDestinationPort);

    /// <summary>The TCP state (TCP connections only).</summary>
    public TcpConntrackState TcpState => Tcp.State;

    /// <summary>Whether the connection is in the table (<c>IPS_CONFIRMED</c>).</summary>
    public bool IsConfirmed => (Status & ConnectionStatus.Confirmed) != 0;

    /// <summary>Whether this is a template the CT target attaches before conntrack runs (<c>IPS_TEMPLATE</c>).</summary>
    public bool IsTemplate => (Status & ConnectionStatus.Template) != 0;

    /// <summary>The directions the zone applies to (<c>NF_CT_ZONE_DIR_*</c>; both by default).</summary>
    internal byte ZoneDirections
    {
        get => _zoneDirections;
        set => _zoneDirections = value;
    }

    /// <summary>Whether the zone is taken from the packet mark (<c>NF_CT_FLAG_MARK</c>, templates only).</summary>
    internal bool ZoneFromMark
    {
        get => (_zoneDirections & 4) != 0;
        set => _zoneDirections = (byte)(value ? _zoneDirections | 4 : _zoneDirections & ~4);
    }

    /// <summary>The zone id a lookup in a direction uses (<c>nf_ct_zone_id</c>).</summary>
    internal ushort ZoneId(CtDirection direction) =>
        (_zoneDirections & (1 << (int)direction)) != 0 ? Zone : (ushort)0;

    /// <summary>UDP's <c>stream_ts</c>: the jiffies after which a replied flow counts as a stream (shares TCP's storage, as the kernel's union does).</summary>
    internal uint UdpStreamTimestamp
    {
        get => Tcp.LastSeq;
        set => Tcp.LastSeq = value;
    }

    /// <summary>The tuple of a direction.</summary>
    public ConntrackTuple Tuple(CtDirection direction) => direction == CtDirection.Original ? Original : Reply;

    /// <summary>Whether the packet tuple matches one direction's tuple (no allocation).</summary>
    internal bool Matches(CtDirection direction, in ConntrackTuple tuple) => direction == CtDirection.Original
        ? _originalSource == tuple.Source.Value && _originalDestination == tuple.Destination.Value
            && _originalSourcePort == tuple.SourcePort && _originalDestinationPort == tuple.DestinationPort
            && _protocol == tuple.Protocol
        : _replySource == tuple.Source.Value && _replyDestination == tuple.Destination.Value
            && _replySourcePort == tuple.SourcePort && _replyDestinationPort == tuple.DestinationPort
            && _protocol == tuple.Protocol;

    /// <summary>Sets both tuples.</summary>
    internal void SetTuples(in ConntrackTuple original, in ConntrackTuple reply)
    {
        _originalSource = original.Source.Value;
        _originalDestination = original.Destination.Value;
        _originalSourcePort = original.SourcePort;
        _originalDestinationPort = original.DestinationPort;
        _replySource = reply.Source.Value;
        _replyDestination = reply.Destination.Value;
        _replySourcePort = reply.SourcePort;
        _replyDestinationPort = reply.DestinationPort;
        _protocol = original.Protocol;
    }

    /// <summary>Whether the binding of one kind of NAT is set up (<c>nf_nat_initialized</c>).</summary>
    public bool NatInitialized(bool source) =>
        (Status & (source ? ConnectionStatus.SourceNatDone : ConnectionStatus.DestinationNatDone)) != 0;

    /// <summary>The jiffies left before the connection expires (<c>nf_ct_expires</c>): 0 once expired or while unconfirmed.</summary>
    public uint ExpiresIn(uint now)
    {
        int left = (int)(Timeout - now);
        return left > 0 ? (uint)left : 0;
    }

    /// <summary>The entry as one line of <c>conntrack -L</c>, its timeout as the jiffies left at <paramref name="now"/>.</summary>
    public string Describe(uint now)
    {
        var output = new StringBuilder();
        ConntrackListing.Append(output, this, now);
        return output.ToString();
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var output = new StringBuilder();
        ConntrackListing.AppendTuplesAndFlags(output, this);
        return output.ToString();
    }
}
