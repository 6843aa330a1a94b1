using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>tcp</c> match: ports, flags and an option kind.</summary>
/// <remarks>
/// The kernel's <c>struct xt_tcp</c> (xt_tcpudp, revision 0) and iptables' libxt_tcp: ranges print as
/// <c>spts:</c>/<c>dpts:</c>, single ports as <c>spt:</c>/<c>dpt:</c>, service names unless <c>-n</c>.
/// </remarks>
public sealed record TcpMatch(
    ushort SourcePortMin,
    ushort SourcePortMax,
    ushort DestinationPortMin,
    ushort DestinationPortMax,
    byte Option,
    byte FlagMask,
    byte FlagCompare,
    TcpMatch.Inversions Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("tcp", 0) { Protocol = 6 };

    private static readonly (string Name, byte Flag)[] s_flagNames =
    [
        ("FIN", 0x01), ("SYN", 0x02), ("RST", 0x04), ("PSH", 0x08), ("ACK", 0x10), ("URG", 0x20), ("ALL", 0x3F),
        ("NONE", 0),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new TcpExtension();

    /// <summary>The <c>XT_TCP_INV_*</c> bits.</summary>
    [Flags]
    public enum Inversions : byte
    {
        /// <summary>Nothing inverted.</summary>
        None = 0,

        /// <summary><c>XT_TCP_INV_SRCPT</c>.</summary>
        SourcePorts = 0x01,

        /// <summary><c>XT_TCP_INV_DSTPT</c>.</summary>
        DestinationPorts = 0x02,

        /// <summary><c>XT_TCP_INV_FLAGS</c>.</summary>
        Flags = 0x04,

        /// <summary><c>XT_TCP_INV_OPTION</c>.</summary>
        Option = 0x08,

        /// <summary><c>XT_TCP_INV_MASK</c>.</summary>
        Mask = 0x0F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <summary>The size of a TCP header without options.</summary>
    private const int HeaderLength = 20;

    /// <inheritdoc />
    /// <remarks>
    /// xt_tcpudp's <c>tcp_mt()</c>: a non-first fragment never matches, and one at offset 1 (which could overwrite
    /// the flags of the first) is dropped; a packet without 20 bytes of TCP header is dropped, as is one whose data
    /// offset is below 5 when an option is asked for; options are walked as <c>tcp_find_option()</c> does.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            if (context.FragmentOffset == 1)
            {
                context.HotDrop = true;
            }

            return false;
        }

        if (!context.TryRead(context.TransportOffset, HeaderLength, out var header))
        {
            context.HotDrop = true;
            return false;
        }

        if (!PortInRange(SourcePortMin, SourcePortMax, BinaryPrimitives.ReadUInt16BigEndian(header),
                (Invert & Inversions.SourcePorts) != 0)
            || !PortInRange(DestinationPortMin, DestinationPortMax, BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
                (Invert & Inversions.DestinationPorts) != 0))
        {
            return false;
        }

        if (((header[13] & FlagMask) == FlagCompare) == ((Invert & Inversions.Flags) != 0))
        {
            return false;
        }

        if (Option == 0)
        {
            return true;
        }

        int length = (header[12] >> 4) * 4;
        if (length < HeaderLength)
        {
            context.HotDrop = true;
            return false;
        }

        return FindOption(context, length - HeaderLength, (Invert & Inversions.Option) != 0);
    }

    /// <summary>xt_tcpudp's <c>port_match()</c>: the port within the range, or outside it when inverted.</summary>
    internal static bool PortInRange(ushort min, ushort max, ushort port, bool invert) =>
        (port >= min && port <= max) ^ invert;

    // tcp_find_option(): kinds 0 and 1 are one byte long, others carry their length (0 counts as 1).
    private bool FindOption(PacketContext context, int optionLength, bool invert)
    {
        if (optionLength == 0)
        {
            return invert;
        }

        if (!context.TryRead(context.TransportOffset + HeaderLength, optionLength, out var options))
        {
            context.HotDrop = true;
            return false;
        }

        for (int i = 0; i < optionLength;)
        {
            byte kind = options[i];
            if (kind == Option)
            {
                return !invert;
            }

            if (kind < 2 || i + 1 >= optionLength)
            {
                // A length byte beyond the options only ends the walk, whatever it holds.
                i++;
            }
            else
            {
                int step = options[i + 1];
                i += step == 0 ? 1 : step;
            }
        }

        return invert;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" tcp");
        PrintPorts(output, "spt", SourcePortMin, SourcePortMax, (Invert & Inversions.SourcePorts) != 0, "tcp", context);
        PrintPorts(output, "dpt", DestinationPortMin, DestinationPortMax, (Invert & Inversions.DestinationPorts) != 0, "tcp", context);
        if (Option != 0 || (Invert & Inversions.Option) != 0)
        {
            output.Append(" option=").Append((Invert & Inversions.Option) != 0 ? "!" : string.Empty)
                .Append(Option.ToString(CultureInfo.InvariantCulture));
        }

        if (FlagMask != 0 || (Invert & Inversions.Flags) != 0)
        {
            output.Append(" flags:").Append((Invert & Inversions.Flags) != 0 ? "!" : string.Empty);
            if (context.Numeric)
            {
                output.Append(CultureInfo.InvariantCulture, $"0x{FlagMask:X2}/0x{FlagCompare:X2}");
            }
            else
            {
                PrintFlags(output, FlagMask);
                output.Append('/');
                PrintFlags(output, FlagCompare);
            }
        }

        if ((Invert & ~Inversions.Mask) != 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" Unknown invflags: 0x{(byte)(Invert & ~Inversions.Mask):X}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        SavePorts(output, "--sport", SourcePortMin, SourcePortMax, (Invert & Inversions.SourcePorts) != 0);
        SavePorts(output, "--dport", DestinationPortMin, DestinationPortMax, (Invert & Inversions.DestinationPorts) != 0);
        if (Option != 0 || (Invert & Inversions.Option) != 0)
        {
            if ((Invert & Inversions.Option) != 0)
            {
                output.Append(" !");
            }

            output.Append(" --tcp-option ").Append(Option.ToString(CultureInfo.InvariantCulture));
        }

        // iptables' save form drops flags whose mask is empty, but the kernel keeps the comparison value, which
        // TCPMSS's check reads: the state file keeps it.
        if (FlagMask != 0 || (Invert & Inversions.Flags) != 0 || (context.Exact && FlagCompare != 0))
        {
            if ((Invert & Inversions.Flags) != 0)
            {
                output.Append(" !");
            }

            output.Append(" --tcp-flags ");
            PrintFlags(output, FlagMask);
            output.Append(' ');
            PrintFlags(output, FlagCompare);
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        (Invert & ~Inversions.Mask) != 0 ? Errno.EINVAL : Errno.Ok;

    /// <summary>
    /// Prints a port or port range the way libxt_tcp and libxt_udp do: <c> dpt:ssh</c>, <c> dpts:1024:65535</c>,
    /// nothing for the full range unless inverted.
    /// </summary>
    internal static void PrintPorts(StringBuilder output, string name, ushort min, ushort max, bool invert,
        string protocol, FormatContext context)
    {
        if (min == 0 && max == ushort.MaxValue && !invert)
        {
            return;
        }

        output.Append(' ').Append(name);
        if (min == max)
        {
            output.Append(':').Append(invert ? "!" : string.Empty);
            PrintPort(output, min, protocol, context);
        }
        else
        {
            output.Append("s:").Append(invert ? "!" : string.Empty);
            PrintPort(output, min, protocol, context);
            output.Append(':');
            PrintPort(output, max, protocol, context);
        }
    }

    /// <summary>A port number, or its service name for the protocol unless numeric output is asked for.</summary>
    internal static void PrintPort(StringBuilder output, ushort port, string protocol, FormatContext context)
    {
        string? service = context.Numeric ? null : context.Names.PortToService(port, protocol);
        output.Append(service ?? port.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The save form of a port option: nothing for the full range, <c>[!] --opt lo[:hi]</c> otherwise.</summary>
    internal static void SavePorts(StringBuilder output, string option, ushort min, ushort max, bool invert)
    {
        if (min == 0 && max == ushort.MaxValue)
        {
            // iptables 1.8.11 saves an inverted full range (which never matches); 1.8.9 dropped it.
            if (!invert)
            {
                return;
            }
        }

        if (invert)
        {
            output.Append(" !");
        }

        output.Append(' ').Append(option).Append(' ').Append(min.ToString(CultureInfo.InvariantCulture));
        if (min != max)
        {
            output.Append(':').Append(max.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Parses <c>port[:port]</c> with service names for the protocol; an empty side means 0 or 65535.
    /// </summary>
    internal static (ushort Min, ushort Max) ParsePorts(string text, string protocol, INameService names)
    {
        int colon = text.IndexOf(':');
        if (colon < 0)
        {
            ushort port = Xt.ParsePort(text, protocol, names);
            return (port, port);
        }

        string low = text[..colon];
        string high = text[(colon + 1)..];
        ushort min = low.Length > 0 ? Xt.ParsePort(low, protocol, names) : (ushort)0;
        ushort max = high.Length > 0 ? Xt.ParsePort(high, protocol, names) : ushort.MaxValue;
        if (min > max)
        {
            throw XtablesException.Parameter("invalid portrange (min > max)");
        }

        return (min, max);
    }

    private static void PrintFlags(StringBuilder output, byte flags)
    {
        bool haveFlag = false;
        while (flags != 0)
        {
            int i = 0;
            while ((flags & s_flagNames[i].Flag) == 0)
            {
                i++;
            }

            if (haveFlag)
            {
                output.Append(',');
            }

            output.Append(s_flagNames[i].Name);
            haveFlag = true;
            flags &= (byte)~s_flagNames[i].Flag;
        }

        if (!haveFlag)
        {
            output.Append("NONE");
        }
    }

    private static byte ParseFlags(string flags)
    {
        byte result = 0;
        foreach (string name in flags.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            int i = Array.FindIndex(s_flagNames, f => CStrings.EqualsIgnoreCase(f.Name, name));
            if (i < 0)
            {
                throw XtablesException.Parameter($"Unknown TCP flag `{name}'");
            }

            result |= s_flagNames[i].Flag;
        }

        return result;
    }

    private sealed class TcpExtension : MatchExtension
    {
        public TcpExtension()
            : base("tcp",
            [
                XtOption.Legacy("source-port", Ids.SourcePorts, ArgumentKind.Required),
                XtOption.Legacy("sport", Ids.SourcePorts, ArgumentKind.Required),
                XtOption.Legacy("destination-port", Ids.DestinationPorts, ArgumentKind.Required),
                XtOption.Legacy("dport", Ids.DestinationPorts, ArgumentKind.Required),
                XtOption.Legacy("syn", Ids.Syn, ArgumentKind.None),
                XtOption.Legacy("tcp-flags", Ids.TcpFlags, ArgumentKind.Required),
                XtOption.Legacy("tcp-option", Ids.TcpOption, ArgumentKind.Required),
            ])
        {
        }

        public override string Help =>
            "tcp match options:\n" +
            "[!] --tcp-flags mask comp\tmatch when TCP flags & mask == comp\n" +
            "\t\t\t\t(Flags: SYN ACK FIN RST URG PSH ALL NONE)\n" +
            "[!] --syn\t\t\tmatch when only SYN flag set\n" +
            "\t\t\t\t(equivalent to --tcp-flags SYN,RST,ACK,FIN SYN)\n" +
            "[!] --source-port port[:port]\n" +
            " --sport ...\n" +
            "\t\t\t\tmatch source port(s)\n" +
            "[!] --destination-port port[:port]\n" +
            " --dport ...\n" +
            "\t\t\t\tmatch destination port(s)\n" +
            "[!] --tcp-option number        match if TCP option set\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private static class Ids
    {
        public const int SourcePorts = 1;
        public const int DestinationPorts = 2;
        public const int Syn = 3;
        public const int TcpFlags = 4;
        public const int TcpOption = 5;
    }

    private sealed class Parser : MatchParser
    {
        private const uint SourcePortsSeen = 0x01;
        private const uint DestinationPortsSeen = 0x02;
        private const uint FlagsSeen = 0x04;
        private const uint OptionSeen = 0x08;

        private ushort _sportMin;
        private ushort _sportMax = ushort.MaxValue;
        private ushort _dportMin;
        private ushort _dportMax = ushort.MaxValue;
        private byte _option;
        private byte _flagMask;
        private byte _flagCompare;
        private Inversions _invert;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.SourcePorts:
                    if ((Flags & SourcePortsSeen) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--source-port' allowed");
                    }

                    (_sportMin, _sportMax) = ParsePorts(call.Arg, "tcp", call.Environment.Names);
                    if (call.Invert)
                    {
                        _invert |= Inversions.SourcePorts;
                    }

                    Flags |= SourcePortsSeen;
                    break;

                case Ids.DestinationPorts:
                    if ((Flags & DestinationPortsSeen) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--destination-port' allowed");
                    }

                    (_dportMin, _dportMax) = ParsePorts(call.Arg, "tcp", call.Environment.Names);
                    if (call.Invert)
                    {
                        _invert |= Inversions.DestinationPorts;
                    }

                    Flags |= DestinationPortsSeen;
                    break;

                case Ids.Syn:
                    if ((Flags & FlagsSeen) != 0)
                    {
                        throw XtablesException.Parameter("Only one of `--syn' or `--tcp-flags'  allowed");
                    }

                    SetFlags("SYN,RST,ACK,FIN", "SYN", call.Invert);
                    Flags |= FlagsSeen;
                    break;

                case Ids.TcpFlags:
                    if ((Flags & FlagsSeen) != 0)
                    {
                        throw XtablesException.Parameter("Only one of `--syn' or `--tcp-flags'  allowed");
                    }

                    var args = call.Cursor.Arguments;
                    int optind = call.Cursor.OptInd;
                    if (optind >= args.Count || args[optind].StartsWith('-') || args[optind].StartsWith('!'))
                    {
                        throw XtablesException.Parameter("--tcp-flags requires two args.");
                    }

                    SetFlags(call.Arg, args[optind], call.Invert);
                    call.Cursor.OptInd = optind + 1;
                    Flags |= FlagsSeen;
                    break;

                case Ids.TcpOption:
                    if ((Flags & OptionSeen) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--tcp-option' allowed");
                    }

                    if (!CNumbers.TryStrToUI(call.Arg, out uint option, 1, byte.MaxValue))
                    {
                        throw XtablesException.Parameter($"Bad TCP option \"{call.Arg}\"");
                    }

                    _option = (byte)option;
                    if (call.Invert)
                    {
                        _invert |= Inversions.Option;
                    }

                    Flags |= OptionSeen;
                    break;
            }
        }

        public override MatchInfo Build() =>
            new TcpMatch(_sportMin, _sportMax, _dportMin, _dportMax, _option, _flagMask, _flagCompare, _invert);

        private void SetFlags(string mask, string compare, bool invert)
        {
            _flagMask = ParseFlags(mask);
            _flagCompare = ParseFlags(compare);
            if (invert)
            {
                _invert |= Inversions.Flags;
            }
        }
    }
}
