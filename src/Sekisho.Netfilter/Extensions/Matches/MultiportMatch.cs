using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>multiport</c> match: up to 15 ports or port ranges, on the source, destination or either port.</summary>
/// <remarks>
/// The kernel's <c>struct xt_multiport_v1</c> (xt_multiport, revision 1) and iptables' libxt_multiport. A range
/// takes two slots, its first marked in <see cref="RangeFlags"/>. The rule's protocol must be TCP, UDP, UDP-Lite,
/// SCTP or DCCP, not inverted: iptables checks the <c>-p</c> given before the option, the kernel checks again.
/// </remarks>
public sealed record MultiportMatch(
    MultiportMatch.Direction Flags,
    byte Count,
    ValueArray<ushort> Ports,
    ValueArray<byte> RangeFlags,
    byte Invert) : MatchInfo
{
    /// <summary><c>XT_MULTI_PORTS</c>.</summary>
    public const int MaxPorts = 15;

    private static readonly XtModule s_module = new("multiport", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new MultiportExtension();

    /// <summary>Which port of the packet is compared (<c>enum xt_multiport_flags</c>).</summary>
    public enum Direction : byte
    {
        /// <summary><c>XT_MULTIPORT_SOURCE</c>.</summary>
        Source = 0,

        /// <summary><c>XT_MULTIPORT_DESTINATION</c>.</summary>
        Destination = 1,

        /// <summary><c>XT_MULTIPORT_EITHER</c>.</summary>
        Either = 2,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_multiport's <c>multiport_mt()</c> with <c>ports_match_v1()</c> (revision 1): a non-first fragment never
    /// matches, a packet without the 4 bytes of ports is dropped; single ports and ranges are tried in order and the
    /// first that holds decides, inverted by <c>!</c>.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            return false;
        }

        if (!context.TryRead(context.TransportOffset, 4, out var ports))
        {
            context.HotDrop = true;
            return false;
        }

        ushort source = BinaryPrimitives.ReadUInt16BigEndian(ports);
        ushort destination = BinaryPrimitives.ReadUInt16BigEndian(ports[2..]);
        bool invert = Invert != 0;
        int count = Math.Min(Count, Ports.Count);
        for (int i = 0; i < count; i++)
        {
            ushort low = Ports[i];
            ushort high = low;
            if (i < RangeFlags.Count && RangeFlags[i] != 0 && i + 1 < Ports.Count)
            {
                high = Ports[++i];
            }

            bool hit = Flags switch
            {
                Direction.Source => source >= low && source <= high,
                Direction.Destination => destination >= low && destination <= high,
                _ => (destination >= low && destination <= high) || (source >= low && source <= high),
            };
            if (hit)
            {
                return !invert;
            }
        }

        return invert;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" multiport ").Append(Flags switch
        {
            Direction.Source => "sports ",
            Direction.Destination => "dports ",
            Direction.Either => "ports ",
            _ => "ERROR ",
        });

        if (Invert != 0)
        {
            output.Append(" !");
        }

        AppendPorts(output, ProtocolName(ip.Protocol), context.Numeric ? null : context.Names);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert != 0)
        {
            output.Append(" !");
        }

        output.Append(Flags switch
        {
            Direction.Source => " --sports ",
            Direction.Destination => " --dports ",
            Direction.Either => " --ports ",
            _ => string.Empty,
        });

        AppendPorts(output, ProtocolName(ip.Protocol), null);
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        bool ok = ProtocolName(context.Ip.Protocol) != null &&
                  (context.Ip.InvFlags & IpInvFlags.Protocol) == 0 &&
                  Flags is Direction.Source or Direction.Destination or Direction.Either &&
                  Count <= MaxPorts;
        return ok ? Errno.Ok : Errno.EINVAL;
    }

    /// <summary>The protocols multiport works with, by the name services are looked up under.</summary>
    private static string? ProtocolName(byte protocol) => protocol switch
    {
        6 => "tcp",
        17 => "udp",
        136 => "udplite",
        132 => "sctp",
        33 => "dccp",
        _ => null,
    };

    private void AppendPorts(StringBuilder output, string? protocol, INameService? names)
    {
        for (int i = 0; i < Count && i < Ports.Count; i++)
        {
            output.Append(i != 0 ? "," : string.Empty);
            AppendPort(output, Ports[i], protocol, names);
            if (RangeFlags[i] != 0 && i + 1 < Ports.Count)
            {
                output.Append(':');
                AppendPort(output, Ports[++i], protocol, names);
            }
        }
    }

    private static void AppendPort(StringBuilder output, ushort port, string? protocol, INameService? names)
    {
        string? service = names?.PortToService(port, protocol);
        output.Append(service ?? port.ToString(CultureInfo.InvariantCulture));
    }

    private static class Ids
    {
        public const int SourcePorts = 0;
        public const int DestinationPorts = 1;
        public const int BothPorts = 2;
        public const uint Any = (1u << SourcePorts) | (1u << DestinationPorts) | (1u << BothPorts);
    }

    private sealed class MultiportExtension : MatchExtension
    {
        public MultiportExtension()
            : base("multiport",
            [
                new XtOption("source-ports", Ids.SourcePorts, XtOptionType.String, XtOptionFlags.Invert) { Excl = Ids.Any },
                new XtOption("sports", Ids.SourcePorts, XtOptionType.String, XtOptionFlags.Invert) { Excl = Ids.Any },
                new XtOption("destination-ports", Ids.DestinationPorts, XtOptionType.String, XtOptionFlags.Invert) { Excl = Ids.Any },
                new XtOption("dports", Ids.DestinationPorts, XtOptionType.String, XtOptionFlags.Invert) { Excl = Ids.Any },
                new XtOption("ports", Ids.BothPorts, XtOptionType.String, XtOptionFlags.Invert) { Excl = Ids.Any },
            ])
        {
        }

        public override string Help =>
            "multiport match options:\n" +
            "[!] --source-ports port[,port:port,port...]\n" +
            " --sports ...\n" +
            "\t\t\t\tmatch source port(s)\n" +
            "[!] --destination-ports port[,port:port,port...]\n" +
            " --dports ...\n" +
            "\t\t\t\tmatch destination port(s)\n" +
            "[!] --ports port[,port:port,port]\n" +
            "\t\t\t\tmatch both source and destination port(s)\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private readonly ushort[] _ports = new ushort[MaxPorts];
        private readonly byte[] _rangeFlags = new byte[MaxPorts];
        private Direction _flags;
        private byte _count;
        private byte _invert;

        public override void Parse(OptionCall call)
        {
            string protocol = CheckProtocol(call.EntryContext);
            ParsePorts(call.Arg, protocol, call.Environment.Names);
            _flags = call.Entry.Id switch
            {
                Ids.SourcePorts => Direction.Source,
                Ids.DestinationPorts => Direction.Destination,
                _ => Direction.Either,
            };

            if (call.Invert)
            {
                _invert = 1;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("multiport expection an option");
            }
        }

        public override MatchInfo Build() =>
            new MultiportMatch(_flags, _count, new ValueArray<ushort>(_ports), new ValueArray<byte>(_rangeFlags), _invert);

        private static string CheckProtocol(EntryContext entry)
        {
            const string worksWith = "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP";
            if ((entry.InvFlags & IpInvFlags.Protocol) != 0)
            {
                throw XtablesException.Parameter(worksWith);
            }

            if (ProtocolName(entry.Protocol) is { } name)
            {
                return name;
            }

            throw XtablesException.Parameter(entry.Protocol == 0
                ? "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'"
                : worksWith);
        }

        /// <summary><c>parse_multi_ports_v1</c>: comma-separated ports and <c>low:high</c> ranges.</summary>
        private void ParsePorts(string text, string protocol, INameService names)
        {
            Array.Clear(_rangeFlags);
            string[] items = text.Split(',');
            int i = 0;
            int item = 0;
            for (; item < items.Length && i < MaxPorts; item++, i++)
            {
                string port = items[item];
                int colon = port.IndexOf(':');
                string? high = null;
                if (colon >= 0)
                {
                    if (i == MaxPorts - 1)
                    {
                        throw XtablesException.Parameter("too many ports specified");
                    }

                    high = port[(colon + 1)..];
                    port = port[..colon];
                }

                _ports[i] = Xt.ParsePort(port, protocol, names);
                if (high != null)
                {
                    _rangeFlags[i] = 1;
                    _ports[++i] = Xt.ParsePort(high, protocol, names);
                    if (_ports[i - 1] >= _ports[i])
                    {
                        throw XtablesException.Parameter("invalid portrange specified");
                    }
                }
            }

            _count = (byte)i;
            if (item < items.Length)
            {
                throw XtablesException.Parameter("too many ports specified");
            }
        }
    }
}
