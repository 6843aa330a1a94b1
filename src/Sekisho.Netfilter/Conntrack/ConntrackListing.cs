using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>The lines of <c>conntrack -L</c>.</summary>
/// <remarks>
/// conntrack-tools 1.4.7 through libnetfilter_conntrack's default output: the protocol name padded to 8 and its
/// number, the seconds left, the TCP state, the original tuple, <c>[UNREPLIED]</c> until a reply was seen, the
/// reply tuple, <c>[ASSURED]</c>, the mark, the zone when not the default one, and <c>use=1</c>.
/// </remarks>
public static class ConntrackListing
{
    private static readonly string[] s_tcpStates =
    [
        "NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
    ];

    /// <summary>The summary line conntrack writes to standard error after a listing.</summary>
    public static string Summary(int count) =>
        $"conntrack v1.4.7 (conntrack-tools): {count.ToString(CultureInfo.InvariantCulture)} flow entries have been shown.\n";

    /// <summary>The name conntrack-tools gives a layer-4 protocol.</summary>
    public static string ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        136 => "udplite",
        1 => "icmp",
        132 => "sctp",
        33 => "dccp",
        47 => "gre",
        _ => "unknown",
    };

    /// <summary>The name of a TCP state as conntrack prints it.</summary>
    public static string TcpStateName(TcpConntrackState state) =>
        (int)state < s_tcpStates.Length ? s_tcpStates[(int)state] : "NONE";

    /// <summary>Appends one entry's line (without the newline), its timeout the whole seconds left at <paramref name="now"/> (jiffies).</summary>
    public static void Append(StringBuilder output, Connection ct, uint now)
    {
        string name = ProtocolName(ct.Protocol);
        output.Append(name);
        output.Append(' ', Math.Max(0, 8 - name.Length));
        output.Append(' ').Append(ct.Protocol.ToString(CultureInfo.InvariantCulture)).Append(' ');
        output.Append((ct.ExpiresIn(now) / NetNamespace.Hz).ToString(CultureInfo.InvariantCulture)).Append(' ');
        AppendTuplesAndFlags(output, ct, withProtocol: false);
    }

    /// <summary>Appends the TCP state, both tuples, the flags, the mark and the zone.</summary>
    public static void AppendTuplesAndFlags(StringBuilder output, Connection ct) => AppendTuplesAndFlags(output, ct, withProtocol: true);

    private static void AppendTuplesAndFlags(StringBuilder output, Connection ct, bool withProtocol)
    {
        if (withProtocol)
        {
            output.Append(ProtocolName(ct.Protocol)).Append(' ');
        }

        if (ct.Protocol == 6)
        {
            output.Append(TcpStateName(ct.TcpState)).Append(' ');
        }

        AppendTuple(output, ct.Original);
        if ((ct.Status & ConnectionStatus.SeenReply) == 0)
        {
            output.Append("[UNREPLIED] ");
        }

        AppendTuple(output, ct.Reply);
        if ((ct.Status & ConnectionStatus.Assured) != 0)
        {
            output.Append("[ASSURED] ");
        }

        output.Append("mark=").Append(ct.Mark.ToString(CultureInfo.InvariantCulture)).Append(' ');
        if (ct.Zone != 0)
        {
            output.Append("zone=").Append(ct.Zone.ToString(CultureInfo.InvariantCulture)).Append(' ');
        }

        output.Append("use=1");
    }

    private static void AppendTuple(StringBuilder output, in ConntrackTuple tuple)
    {
        output.Append("src=").Append(tuple.Source.ToString()).Append(" dst=").Append(tuple.Destination.ToString()).Append(' ');
        switch (tuple.Protocol)
        {
            case 6:
            case 17:
            case 136:
            case 132:
            case 33:
                output.Append("sport=").Append(tuple.SourcePort.ToString(CultureInfo.InvariantCulture))
                    .Append(" dport=").Append(tuple.DestinationPort.ToString(CultureInfo.InvariantCulture)).Append(' ');
                break;
            case 47:
                output.Append(CultureInfo.InvariantCulture, $"srckey=0x{tuple.SourcePort:x} dstkey=0x{tuple.DestinationPort:x} ");
                break;
            case 1:
                output.Append("type=").Append(tuple.IcmpType.ToString(CultureInfo.InvariantCulture))
                    .Append(" code=").Append(tuple.IcmpCode.ToString(CultureInfo.InvariantCulture))
                    .Append(" id=").Append(tuple.SourcePort.ToString(CultureInfo.InvariantCulture)).Append(' ');
                break;
        }
    }
}
