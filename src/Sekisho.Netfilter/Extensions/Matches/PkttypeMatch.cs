using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>pkttype</c> match: the link-layer packet type (to us, broadcast, multicast, other host).</summary>
/// <remarks>
/// The kernel's <c>struct xt_pkttype_info</c> (xt_pkttype, revision 0) and iptables' libxt_pkttype. Names are
/// matched ignoring case, with the aliases bcast, mcast and host; the first name of a type is printed.
/// </remarks>
public sealed record PkttypeMatch(int PacketType, int Invert) : MatchInfo
{
    /// <summary><c>PACKET_HOST</c>.</summary>
    public const int Host = 0;

    /// <summary><c>PACKET_BROADCAST</c>.</summary>
    public const int Broadcast = 1;

    /// <summary><c>PACKET_MULTICAST</c>.</summary>
    public const int Multicast = 2;

    /// <summary><c>PACKET_OTHERHOST</c>.</summary>
    public const int OtherHost = 3;

    private static readonly XtModule s_module = new("pkttype", 0);

    // libxt_pkttype's supported_types[]: name, type, and the help text of those listed in the help.
    private static readonly (string Name, int Type, string? Help)[] s_types =
    [
        ("unicast", Host, "to us"),
        ("broadcast", Broadcast, "to all"),
        ("multicast", Multicast, "to group"),
        ("otherhost", OtherHost, "to someone else"),
        ("bcast", Broadcast, null),
        ("mcast", Multicast, null),
        ("host", Host, null),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new PkttypeExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_pkttype's <c>pkttype_mt()</c>: the link-layer class of the packet; a looped-back packet (which has none)
    /// counts as multicast or broadcast by its destination address, otherwise as to this host.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var type = context.Packet.PacketType;
        int value;
        if (type != Engine.PacketType.Loopback)
        {
            value = (int)type;
        }
        else
        {
            var destination = Ipv4Address.Read(context.Data[16..]);
            value = destination.IsMulticast ? Multicast
                : destination == Ipv4Address.Broadcast ? Broadcast
                : Host;
        }

        return (value == PacketType) ^ (Invert != 0);
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" PKTTYPE ").Append(Invert != 0 ? "!" : string.Empty).Append("= ");
        AppendType(output);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(Invert != 0 ? " !" : string.Empty).Append(" --pkt-type ");
        AppendType(output);
    }

    private void AppendType(StringBuilder output)
    {
        foreach (var (name, type, _) in s_types)
        {
            if (type == PacketType)
            {
                output.Append(name);
                return;
            }
        }

        output.Append(PacketType.ToString(CultureInfo.InvariantCulture));
    }

    private sealed class PkttypeExtension : MatchExtension
    {
        public PkttypeExtension()
            : base("pkttype",
            [
                new XtOption("pkt-type", 0, XtOptionType.String, XtOptionFlags.Mandatory | XtOptionFlags.Invert),
            ])
        {
        }

        public override string Help { get; } = BuildHelp();

        public override MatchParser CreateParser() => new Parser();

        private static string BuildHelp()
        {
            var help = new StringBuilder(
                "pkttype match options:\n" +
                "[!] --pkt-type packettype    match packet type\n" +
                "Valid packet types:\n");
            foreach (var (name, _, text) in s_types)
            {
                if (text != null)
                {
                    help.Append('\t').Append(name.PadRight(14)).Append("\t\t").Append(text).Append('\n');
                }
            }

            return help.Append('\n').ToString();
        }
    }

    private sealed class Parser : MatchParser
    {
        private int _type;
        private int _invert;

        public override void Parse(OptionCall call)
        {
            int found = -1;
            foreach (var (name, type, _) in s_types)
            {
                if (CStrings.EqualsIgnoreCase(name, call.Arg))
                {
                    found = type;
                    break;
                }
            }

            if (found < 0)
            {
                throw XtablesException.Parameter($"Bad packet type '{call.Arg}'");
            }

            _type = found;
            if (call.Invert)
            {
                _invert = 1;
            }
        }

        public override MatchInfo Build() => new PkttypeMatch(_type, _invert);
    }
}
