using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>TOS</c> target: sets the IPv4 TOS byte to <c>(tos &amp; ~Mask) ^ Value</c>.</summary>
/// <remarks>
/// The kernel's <c>struct xt_tos_target_info</c> (xt_DSCP's TOS, revision 1, mangle table only) and iptables'
/// libxt_TOS. A symbolic name sets the value with the mask 0x3f (keeping the two ECN bits); <c>-L</c> shows
/// the name back for such a pair, exactly as iptables does (with its doubled space and no space before the
/// name).
/// </remarks>
public sealed record TosTarget(byte Value, byte Mask) : TargetInfo
{
    private static readonly XtModule s_module = new("TOS", 1) { Table = "mangle" };

    // tos_values.c: the IPTOS_* names, in the order iptables tries them.
    private static readonly (byte Value, string Name)[] s_symbols =
    [
        (0x10, "Minimize-Delay"), (0x08, "Maximize-Throughput"), (0x04, "Maximize-Reliability"),
        (0x02, "Minimize-Cost"), (0x00, "Normal-Service"),
    ];

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new TosExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "TOS";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (context.Numeric)
        {
            output.Append(CultureInfo.InvariantCulture, $" TOS set 0x{Value:x2}/0x{Mask:x2}");
        }
        else if (SymbolOf(Value, Mask) is { } symbol)
        {
            output.Append("  TOS set").Append(symbol);
        }
        else if (Value == 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" TOS and 0x{(byte)~Mask:x2}");
        }
        else if (Value == Mask)
        {
            output.Append(CultureInfo.InvariantCulture, $" TOS or 0x{Value:x2}");
        }
        else if (Mask == 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" TOS xor 0x{Value:x2}");
        }
        else
        {
            output.Append(CultureInfo.InvariantCulture, $" TOS set 0x{Value:x2}/0x{Mask:x2}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $" --set-tos 0x{Value:x2}/0x{Mask:x2}");

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

    private static string BuildHelp()
    {
        var help = new StringBuilder();
        help.Append("TOS target vlibxtables.so.12 options:\n")
            .Append("  --set-tos value[/mask]  Set Type of Service/Priority field to value\n")
            .Append("                          (Zero out bits in mask and XOR value into TOS)\n")
            .Append("  --set-tos symbol        Set TOS field (IPv4 only) by symbol\n")
            .Append("                          (this zeroes the 4-bit Precedence part!)\n")
            .Append("                          Accepted symbolic names for value are:\n");
        foreach (var (value, name) in s_symbols)
        {
            help.Append(CultureInfo.InvariantCulture, $"                            (0x{value:x2}) {value,2} {name}\n");
        }

        help.Append('\n')
            .Append("  --and-tos bits          Binary AND the TOS value with bits\n")
            .Append("  --or-tos  bits          Binary OR the TOS value with bits\n")
            .Append("  --xor-tos bits          Binary XOR the TOS value with bits\n");
        return help.ToString();
    }

    /// <summary>
    /// Sets the TOS byte to <c>(tos &amp; ~Mask) ^ Value</c> when that changes it, with the kernel's incremental
    /// header checksum update (<c>tos_tg</c>), and goes on.
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var data = context.Data;
        byte original = data[1];
        byte updated = (byte)((original & ~Mask) ^ Value);
        if (updated != original)
        {
            DsField.Change(data, 0, updated);
            context.Packet.Modified = true;
        }

        return NfVerdict.Continue;
    }

    private static class Ids
    {
        public const int SetTos = 0;
        public const int AndTos = 1;
        public const int OrTos = 2;
        public const int XorTos = 3;
        public const uint Any = 0xF;
    }

    private sealed class TosExtension : TargetExtension
    {
        private static readonly string s_help = BuildHelp();

        public TosExtension()
            : base("TOS",
            [
                new XtOption("set-tos", Ids.SetTos, XtOptionType.TosMask) { Excl = Ids.Any, Max = 0x3F },
                new XtOption("and-tos", Ids.AndTos, XtOptionType.UInt8) { Excl = Ids.Any },
                new XtOption("or-tos", Ids.OrTos, XtOptionType.UInt8) { Excl = Ids.Any },
                new XtOption("xor-tos", Ids.XorTos, XtOptionType.UInt8) { Excl = Ids.Any },
            ])
        {
        }

        public override string Help => s_help;

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private byte _value;
        private byte _mask;

        public override void Parse(OptionCall call)
        {
            byte number = (byte)call.Value.Number;
            switch (call.Entry.Id)
            {
                case Ids.SetTos:
                    (_value, _mask) = (call.Value.TosValue, call.Value.TosMask);
                    break;
                case Ids.AndTos:
                    (_value, _mask) = (0, (byte)~number);
                    break;
                case Ids.OrTos:
                    (_value, _mask) = (number, number);
                    break;
                case Ids.XorTos:
                    (_value, _mask) = (number, 0);
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & Ids.Any) == 0)
            {
                throw XtablesException.Parameter("TOS: An action is required");
            }
        }

        public override TargetInfo Build() => new TosTarget(_value, _mask);
    }
}
