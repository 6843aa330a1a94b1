using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>MARK</c> target: sets the packet mark to <c>(mark &amp; ~Mask) ^ Mark</c>.</summary>
/// <remarks>
/// The kernel's <c>struct xt_mark_tginfo2</c> (xt_MARK, revision 2, any table) and iptables' libxt_MARK. Every
/// option comes down to a mask of bits to clear and a value to XOR in; <c>-L</c> names the operation the pair
/// amounts to, save always writes <c>--set-xmark</c>.
/// </remarks>
public sealed record MarkTarget(uint Mark, uint Mask) : TargetInfo
{
    private static readonly XtModule s_module = new("MARK", 2);

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new MarkExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "MARK";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Mark == 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" MARK and 0x{~Mask:x}");
        }
        else if (Mark == Mask)
        {
            output.Append(CultureInfo.InvariantCulture, $" MARK or 0x{Mark:x}");
        }
        else if (Mask == 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" MARK xor 0x{Mark:x}");
        }
        else if (Mask == uint.MaxValue)
        {
            output.Append(CultureInfo.InvariantCulture, $" MARK set 0x{Mark:x}");
        }
        else
        {
            output.Append(CultureInfo.InvariantCulture, $" MARK xset 0x{Mark:x}/0x{Mask:x}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $" --set-xmark 0x{Mark:x}/0x{Mask:x}");

    /// <summary>Sets the packet's mark to <c>(mark &amp; ~Mask) ^ Mark</c> (<c>mark_tg</c>) and goes on.</summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        packet.Mark = (packet.Mark & ~Mask) ^ Mark;
        return NfVerdict.Continue;
    }

    private static class Ids
    {
        public const int SetMark = 0;
        public const int AndMark = 1;
        public const int OrMark = 2;
        public const int XorMark = 3;
        public const int SetXMark = 4;
        public const uint Any = 0x1F;
    }

    private sealed class MarkExtension : TargetExtension
    {
        public MarkExtension()
            : base("MARK",
            [
                new XtOption("set-xmark", Ids.SetXMark, XtOptionType.MarkMask32) { Excl = Ids.Any },
                new XtOption("set-mark", Ids.SetMark, XtOptionType.MarkMask32) { Excl = Ids.Any },
                new XtOption("and-mark", Ids.AndMark, XtOptionType.UInt32) { Excl = Ids.Any },
                new XtOption("or-mark", Ids.OrMark, XtOptionType.UInt32) { Excl = Ids.Any },
                new XtOption("xor-mark", Ids.XorMark, XtOptionType.UInt32) { Excl = Ids.Any },
            ])
        {
        }

        public override string Help =>
            "MARK target options:\n" +
            "  --set-xmark value[/mask]  Clear bits in mask and XOR value into nfmark\n" +
            "  --set-mark value[/mask]   Clear bits in mask and OR value into nfmark\n" +
            "  --and-mark bits           Binary AND the nfmark with bits\n" +
            "  --or-mark bits            Binary OR the nfmark with bits\n" +
            "  --xor-mark bits           Binary XOR the nfmark with bits\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private uint _mark;
        private uint _mask;

        public override void Parse(OptionCall call)
        {
            var value = call.Value;
            switch (call.Entry.Id)
            {
                case Ids.SetXMark:
                    (_mark, _mask) = (value.Mark, value.Mask);
                    break;
                case Ids.SetMark:
                    (_mark, _mask) = (value.Mark, value.Mark | value.Mask);
                    break;
                case Ids.AndMark:
                    (_mark, _mask) = (0, ~(uint)value.Number);
                    break;
                case Ids.OrMark:
                    (_mark, _mask) = ((uint)value.Number, (uint)value.Number);
                    break;
                case Ids.XorMark:
                    (_mark, _mask) = ((uint)value.Number, 0);
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required");
            }
        }

        public override TargetInfo Build() => new MarkTarget(_mark, _mask);
    }
}
