using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>tos</c> match: the IP type-of-service byte, under a mask, equals a value.</summary>
/// <remarks>
/// The kernel's <c>struct xt_tos_match_info</c> (xt_dscp's "tos", revision 1) and iptables' libxt_tos. A number
/// without mask takes the mask 0xff; a symbolic name takes 0x3f. A value/mask pair with mask 0x3f and a known
/// value is listed by its name unless <c>-n</c>.
/// </remarks>
public sealed record TosMatch(byte Mask, byte Value, bool Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("tos", 1);

    // tos_values.c's tos_symbol_names[].
    private static readonly (byte Value, string Name)[] s_symbols =
    [
        (0x10, "Minimize-Delay"), (0x08, "Maximize-Throughput"), (0x04, "Maximize-Reliability"),
        (0x02, "Minimize-Cost"), (0x00, "Normal-Service"),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new TosExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_dscp's <c>tos_mt()</c> (revision 1): the TOS byte under the mask equals the value.</remarks>
    public override bool Match(PacketContext context, object? state) =>
        ((context.Data[1] & Mask) == Value) ^ Invert;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" tos match");
        if (Invert)
        {
            output.Append('!');
        }

        string? symbol = context.Numeric ? null : SymbolOf(Value, Mask);
        if (symbol != null)
        {
            output.Append(' ').Append(symbol);
        }
        else
        {
            output.Append(CultureInfo.InvariantCulture, $"0x{Value:x2}/0x{Mask:x2}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert)
        {
            output.Append(" !");
        }

        output.Append(CultureInfo.InvariantCulture, $" --tos 0x{Value:x2}/0x{Mask:x2}");
    }

    /// <summary><c>tos_try_print_symbolic</c>: the name of a value under the mask 0x3f, or null.</summary>
    private static string? SymbolOf(byte value, byte mask)
    {
        if (mask != 0x3F)
        {
            return null;
        }

        foreach (var (symbolValue, name) in s_symbols)
        {
            if (symbolValue == value)
            {
                return name;
            }
        }

        return null;
    }

    private sealed class TosExtension : MatchExtension
    {
        public TosExtension()
            : base("tos",
            [
                new XtOption("tos", 1, XtOptionType.TosMask, XtOptionFlags.Invert | XtOptionFlags.Mandatory) { Max = 0x3F },
            ])
        {
        }

        public override string Help { get; } = BuildHelp();

        public override MatchParser CreateParser() => new Parser();

        private static string BuildHelp()
        {
            var help = new StringBuilder(
                "tos match options:\n" +
                "[!] --tos value[/mask]    Match Type of Service/Priority field value\n" +
                "[!] --tos symbol          Match TOS field (IPv4 only) by symbol\n" +
                "                          Accepted symbolic names for value are:\n");
            foreach (var (value, name) in s_symbols)
            {
                help.Append(CultureInfo.InvariantCulture, $"                          (0x{value:x2}) {value,2} {name}\n");
            }

            return help.Append('\n').ToString();
        }
    }

    private sealed class Parser : MatchParser
    {
        private byte _mask;
        private byte _value;
        private bool _invert;

        public override void Parse(OptionCall call)
        {
            _value = call.Value.TosValue;
            _mask = call.Value.TosMask;
            if (call.Invert)
            {
                _invert = true;
            }
        }

        public override MatchInfo Build() => new TosMatch(_mask, _value, _invert);
    }
}
