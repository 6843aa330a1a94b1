using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>udp</c> match: source and destination port ranges.</summary>
/// <remarks>
/// The kernel's <c>struct xt_udp</c> (xt_tcpudp, revision 0, protocol 17 only) and iptables' libxt_udp, which
/// parses its ports with the generic port-range type. Printing is that of libxt_tcp; saving keeps an inverted
/// full range as iptables 1.8.11 does.
/// </remarks>
public sealed record UdpMatch(
    ushort SourcePortMin,
    ushort SourcePortMax,
    ushort DestinationPortMin,
    ushort DestinationPortMax,
    UdpMatch.Inversions Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("udp", 0) { Protocol = 17 };

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new UdpExtension();

    /// <summary>The <c>XT_UDP_INV_*</c> bits.</summary>
    [Flags]
    public enum Inversions : byte
    {
        /// <summary>Nothing inverted.</summary>
        None = 0,

        /// <summary><c>XT_UDP_INV_SRCPT</c>.</summary>
        SourcePorts = 0x01,

        /// <summary><c>XT_UDP_INV_DSTPT</c>.</summary>
        DestinationPorts = 0x02,

        /// <summary><c>XT_UDP_INV_MASK</c>.</summary>
        Mask = 0x03,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_tcpudp's <c>udp_mt()</c>: a non-first fragment never matches; a packet without 8 bytes of UDP header is
    /// dropped.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            return false;
        }

        if (!context.TryRead(context.TransportOffset, 8, out var header))
        {
            context.HotDrop = true;
            return false;
        }

        return TcpMatch.PortInRange(SourcePortMin, SourcePortMax, BinaryPrimitives.ReadUInt16BigEndian(header),
                (Invert & Inversions.SourcePorts) != 0)
            && TcpMatch.PortInRange(DestinationPortMin, DestinationPortMax, BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
                (Invert & Inversions.DestinationPorts) != 0);
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" udp");
        TcpMatch.PrintPorts(output, "spt", SourcePortMin, SourcePortMax, (Invert & Inversions.SourcePorts) != 0, "udp", context);
        TcpMatch.PrintPorts(output, "dpt", DestinationPortMin, DestinationPortMax, (Invert & Inversions.DestinationPorts) != 0, "udp", context);
        if ((Invert & ~Inversions.Mask) != 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" Unknown invflags: 0x{(byte)(Invert & ~Inversions.Mask):X}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        TcpMatch.SavePorts(output, "--sport", SourcePortMin, SourcePortMax, (Invert & Inversions.SourcePorts) != 0);
        TcpMatch.SavePorts(output, "--dport", DestinationPortMin, DestinationPortMax, (Invert & Inversions.DestinationPorts) != 0);
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        (Invert & ~Inversions.Mask) != 0 ? Errno.EINVAL : Errno.Ok;

    private static class Ids
    {
        public const int SourcePort = 0;
        public const int DestinationPort = 1;
    }

    private sealed class UdpExtension : MatchExtension
    {
        public UdpExtension()
            : base("udp",
            [
                new XtOption("source-port", Ids.SourcePort, XtOptionType.PortRange, XtOptionFlags.Invert | XtOptionFlags.Put),
                new XtOption("sport", Ids.SourcePort, XtOptionType.PortRange, XtOptionFlags.Invert | XtOptionFlags.Put),
                new XtOption("destination-port", Ids.DestinationPort, XtOptionType.PortRange, XtOptionFlags.Invert | XtOptionFlags.Put),
                new XtOption("dport", Ids.DestinationPort, XtOptionType.PortRange, XtOptionFlags.Invert | XtOptionFlags.Put),
            ])
        {
        }

        public override string Help =>
            "udp match options:\n" +
            "[!] --source-port port[:port]\n" +
            " --sport ...\n" +
            "\t\t\t\tmatch source port(s)\n" +
            "[!] --destination-port port[:port]\n" +
            " --dport ...\n" +
            "\t\t\t\tmatch destination port(s)\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private ushort _sportMin;
        private ushort _sportMax = ushort.MaxValue;
        private ushort _dportMin;
        private ushort _dportMax = ushort.MaxValue;
        private Inversions _invert;

        public override void Parse(OptionCall call)
        {
            var range = call.Value.Range;
            switch (call.Entry.Id)
            {
                case Ids.SourcePort:
                    (_sportMin, _sportMax) = ((ushort)range[0], (ushort)range[1]);
                    if (call.Invert)
                    {
                        _invert |= Inversions.SourcePorts;
                    }

                    break;

                case Ids.DestinationPort:
                    (_dportMin, _dportMax) = ((ushort)range[0], (ushort)range[1]);
                    if (call.Invert)
                    {
                        _invert |= Inversions.DestinationPorts;
                    }

                    break;
            }
        }

        public override MatchInfo Build() => new UdpMatch(_sportMin, _sportMax, _dportMin, _dportMax, _invert);
    }
}
