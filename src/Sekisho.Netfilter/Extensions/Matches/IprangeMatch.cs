using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>iprange</c> match: source and/or destination address within an inclusive range.</summary>
/// <remarks>
/// The kernel's <c>struct xt_iprange_mtinfo</c> (xt_iprange, revision 1) for IPv4 and iptables' libxt_iprange.
/// Addresses are numeric only (a short form like <c>10.1</c> is completed with zeros); a single address is the
/// range from it to itself; a reversed range is accepted with a warning and never matches.
/// </remarks>
public sealed record IprangeMatch(
    Ipv4Address SourceMin,
    Ipv4Address SourceMax,
    Ipv4Address DestinationMin,
    Ipv4Address DestinationMax,
    IprangeMatch.RangeFlags Flags) : MatchInfo
{
    private static readonly XtModule s_module = new("iprange", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new IprangeExtension();

    /// <summary>The <c>IPRANGE_*</c> flags.</summary>
    [Flags]
    public enum RangeFlags : byte
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>IPRANGE_SRC</c>: test the source address.</summary>
        Source = 0x01,

        /// <summary><c>IPRANGE_DST</c>: test the destination address.</summary>
        Destination = 0x02,

        /// <summary><c>IPRANGE_SRC_INV</c>.</summary>
        SourceInverted = 0x10,

        /// <summary><c>IPRANGE_DST_INV</c>.</summary>
        DestinationInverted = 0x20,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_iprange's <c>iprange_mt4()</c>: each range given must hold the address (or not, when inverted); host
    /// byte order comparison, bounds included.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var data = context.Data;
        if ((Flags & RangeFlags.Source) != 0)
        {
            uint source = BinaryPrimitives.ReadUInt32BigEndian(data[12..]);
            bool outside = source < SourceMin.Value || source > SourceMax.Value;
            if (outside ^ ((Flags & RangeFlags.SourceInverted) != 0))
            {
                return false;
            }
        }

        if ((Flags & RangeFlags.Destination) != 0)
        {
            uint destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
            bool outside = destination < DestinationMin.Value || destination > DestinationMax.Value;
            if (outside ^ ((Flags & RangeFlags.DestinationInverted) != 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Flags & RangeFlags.Source) != 0)
        {
            output.Append(" source IP range");
            if ((Flags & RangeFlags.SourceInverted) != 0)
            {
                output.Append(" !");
            }

            output.Append(' ').Append(SourceMin.ToString()).Append('-').Append(SourceMax.ToString());
        }

        if ((Flags & RangeFlags.Destination) != 0)
        {
            output.Append(" destination IP range");
            if ((Flags & RangeFlags.DestinationInverted) != 0)
            {
                output.Append(" !");
            }

            output.Append(' ').Append(DestinationMin.ToString()).Append('-').Append(DestinationMax.ToString());
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Flags & RangeFlags.Source) != 0)
        {
            if ((Flags & RangeFlags.SourceInverted) != 0)
            {
                output.Append(" !");
            }

            output.Append(" --src-range ").Append(SourceMin.ToString()).Append('-').Append(SourceMax.ToString());
        }

        if ((Flags & RangeFlags.Destination) != 0)
        {
            if ((Flags & RangeFlags.DestinationInverted) != 0)
            {
                output.Append(" !");
            }

            output.Append(" --dst-range ").Append(DestinationMin.ToString()).Append('-').Append(DestinationMax.ToString());
        }
    }

    private static class Ids
    {
        public const int Source = 0;
        public const int Destination = 1;
    }

    private sealed class IprangeExtension : MatchExtension
    {
        public IprangeExtension()
            : base("iprange",
            [
                new XtOption("src-range", Ids.Source, XtOptionType.String, XtOptionFlags.Invert),
                new XtOption("dst-range", Ids.Destination, XtOptionType.String, XtOptionFlags.Invert),
            ])
        {
        }

        public override string Help =>
            "iprange match options:\n" +
            "[!] --src-range ip[-ip]    Match source IP in the specified range\n" +
            "[!] --dst-range ip[-ip]    Match destination IP in the specified range\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private Ipv4Address _sourceMin;
        private Ipv4Address _sourceMax;
        private Ipv4Address _destinationMin;
        private Ipv4Address _destinationMax;
        private RangeFlags _flags;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.Source:
                    (_sourceMin, _sourceMax) = ParseRange(call.Arg, "--src-range", call.Environment.Stderr);
                    _flags |= RangeFlags.Source | (call.Invert ? RangeFlags.SourceInverted : RangeFlags.None);
                    break;
                case Ids.Destination:
                    (_destinationMin, _destinationMax) = ParseRange(call.Arg, "--dst-range", call.Environment.Stderr);
                    _flags |= RangeFlags.Destination | (call.Invert ? RangeFlags.DestinationInverted : RangeFlags.None);
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("iprange match: You must specify `--src-range' or `--dst-range'");
            }
        }

        public override MatchInfo Build() =>
            new IprangeMatch(_sourceMin, _sourceMax, _destinationMin, _destinationMax, _flags);

        /// <summary><c>iprange_parse_range</c>: <c>from[-to]</c>, split at the first dash.</summary>
        private static (Ipv4Address Min, Ipv4Address Max) ParseRange(string arg, string option, TextWriter stderr)
        {
            int dash = arg.IndexOf('-');
            string from = dash < 0 ? arg : arg[..dash];
            string to = dash < 0 ? arg : arg[(dash + 1)..];
            var min = Xt.NumericToIpAddress(from) ?? throw BadValue(from);
            var max = Xt.NumericToIpAddress(to) ?? throw BadValue(to);
            if (dash >= 0 && min > max)
            {
                stderr.Write($"xt_iprange: range {from}-{to} is reversed and will never match\n");
            }

            return (min, max);

            XtablesException BadValue(string value) =>
                XtablesException.Parameter($"iprange: Bad value for \"{option}\" option: \"{value}\"");
        }
    }
}
