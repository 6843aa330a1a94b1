using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>CONNMARK</c> target: sets the connection mark, or copies marks between packet and connection.</summary>
/// <remarks>
/// The kernel's <c>struct xt_connmark_tginfo2</c> (xt_CONNMARK, revision 2, any table) and iptables'
/// libxt_CONNMARK. Setting works like MARK on the connection mark (<see cref="CtMark"/> XORed in after
/// clearing <see cref="CtMask"/>); saving and restoring copy through both masks, then shift. The kernel
/// refuses a shift of 32 bits or more without a word in the log.
/// </remarks>
public sealed record ConnmarkTarget(
    uint CtMark,
    uint CtMask,
    uint NfMask,
    ConnmarkTarget.Shift ShiftDirection,
    byte ShiftBits,
    ConnmarkTarget.ConnmarkMode Mode) : TargetInfo
{
    private static readonly XtModule s_module = new("CONNMARK", 2);

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new ConnmarkExtension();

    /// <summary>The <c>XT_CONNMARK_*</c> operations.</summary>
    public enum ConnmarkMode : byte
    {
        /// <summary><c>XT_CONNMARK_SET</c>: <c>ctmark = (ctmark &amp; ~CtMask) ^ CtMark</c>.</summary>
        Set = 0,

        /// <summary><c>XT_CONNMARK_SAVE</c>: copy the packet mark into the connection mark.</summary>
        Save = 1,

        /// <summary><c>XT_CONNMARK_RESTORE</c>: copy the connection mark into the packet mark.</summary>
        Restore = 2,
    }

    /// <summary>The shift direction (<c>D_SHIFT_*</c>).</summary>
    public enum Shift : byte
    {
        /// <summary><c>D_SHIFT_LEFT</c>.</summary>
        Left = 0,

        /// <summary><c>D_SHIFT_RIGHT</c>.</summary>
        Right = 1,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <inheritdoc />
    /// <remarks>
    /// xt_CONNMARK's <c>connmark_tg_shift</c>: set (clear the mask, XOR the value, shift), save the packet mark
    /// into the connection mark or restore it, each through its masks and the shift. No connection: nothing.
    /// </remarks>
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        if (ct is null)
        {
            return NfVerdict.Continue;
        }

        switch (Mode)
        {
            case ConnmarkMode.Set:
                ct.Mark = ShiftValue((ct.Mark & ~CtMask) ^ CtMark);
                break;
            case ConnmarkMode.Save:
                ct.Mark = (ct.Mark & ~CtMask) ^ ShiftValue(packet.Mark & NfMask);
                break;
            case ConnmarkMode.Restore:
                packet.Mark = (packet.Mark & ~NfMask) ^ ShiftValue(ct.Mark & CtMask);
                break;
        }

        return NfVerdict.Continue;
    }

    private uint ShiftValue(uint value) =>
        ShiftBits >= 32 ? 0 : ShiftDirection == Shift.Right ? value >> ShiftBits : value << ShiftBits;

    /// <inheritdoc />
    public override string Name => "CONNMARK";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        switch (Mode)
        {
            case ConnmarkMode.Set:
                if (CtMark == 0)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK and 0x{~CtMask:x}");
                }
                else if (CtMark == CtMask)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK or 0x{CtMark:x}");
                }
                else if (CtMask == 0)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK xor 0x{CtMark:x}");
                }
                else if (CtMask == uint.MaxValue)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK set 0x{CtMark:x}");
                }
                else
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK xset 0x{CtMark:x}/0x{CtMask:x}");
                }

                break;
            case ConnmarkMode.Save:
                if (NfMask == uint.MaxValue && CtMask == uint.MaxValue)
                {
                    output.Append(" CONNMARK save");
                }
                else if (NfMask == CtMask)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK save mask 0x{NfMask:x}");
                }
                else
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK save nfmask 0x{NfMask:x} ctmask ~0x{CtMask:x}");
                }

                break;
            case ConnmarkMode.Restore:
                if (CtMask == uint.MaxValue && NfMask == uint.MaxValue)
                {
                    output.Append(" CONNMARK restore");
                }
                else if (CtMask == NfMask)
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK restore mask 0x{CtMask:x}");
                }
                else
                {
                    output.Append(CultureInfo.InvariantCulture, $" CONNMARK restore ctmask 0x{CtMask:x} nfmask ~0x{NfMask:x}");
                }

                break;
            default:
                output.Append(" ERROR: UNKNOWN CONNMARK MODE");
                break;
        }

        AppendShift(output, string.Empty);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        switch (Mode)
        {
            case ConnmarkMode.Set:
                output.Append(CultureInfo.InvariantCulture, $" --set-xmark 0x{CtMark:x}/0x{CtMask:x}");
                break;
            case ConnmarkMode.Save:
                output.Append(CultureInfo.InvariantCulture, $" --save-mark --nfmask 0x{NfMask:x} --ctmask 0x{CtMask:x}");
                break;
            case ConnmarkMode.Restore:
                output.Append(CultureInfo.InvariantCulture, $" --restore-mark --nfmask 0x{NfMask:x} --ctmask 0x{CtMask:x}");
                break;
            default:
                output.Append(" ERROR: UNKNOWN CONNMARK MODE");
                break;
        }

        AppendShift(output, "--");
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        ShiftDirection > Shift.Right || ShiftBits >= 32 ? Errno.EINVAL : Errno.Ok;

    private void AppendShift(StringBuilder output, string dashes)
    {
        if (Mode <= ConnmarkMode.Restore && ShiftBits != 0)
        {
            // iptables indexes its two names by the direction; anything else cannot come from it.
            string name = ShiftDirection == Shift.Left ? "left-shift-mark" : "right-shift-mark";
            output.Append(' ').Append(dashes).Append(name).Append(' ').Append(ShiftBits.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static class Ids
    {
        public const int SetMark = 0;
        public const int SaveMark = 1;
        public const int RestoreMark = 2;
        public const int AndMark = 3;
        public const int OrMark = 4;
        public const int XorMark = 5;
        public const int LeftShiftMark = 6;
        public const int RightShiftMark = 7;
        public const int SetXMark = 8;
        public const int CtMask = 9;
        public const int NfMask = 10;
        public const int Mask = 11;

        public const uint AnyOperation = (1u << SetMark) | (1u << SaveMark) | (1u << RestoreMark) | (1u << AndMark) |
                                         (1u << OrMark) | (1u << XorMark) | (1u << SetXMark);
    }

    private sealed class ConnmarkExtension : TargetExtension
    {
        public ConnmarkExtension()
            : base("CONNMARK",
            [
                new XtOption("set-xmark", Ids.SetXMark, XtOptionType.MarkMask32) { Excl = Ids.AnyOperation },
                new XtOption("set-mark", Ids.SetMark, XtOptionType.MarkMask32) { Excl = Ids.AnyOperation },
                new XtOption("and-mark", Ids.AndMark, XtOptionType.UInt32) { Excl = Ids.AnyOperation },
                new XtOption("or-mark", Ids.OrMark, XtOptionType.UInt32) { Excl = Ids.AnyOperation },
                new XtOption("xor-mark", Ids.XorMark, XtOptionType.UInt32) { Excl = Ids.AnyOperation },
                new XtOption("save-mark", Ids.SaveMark, XtOptionType.None) { Excl = Ids.AnyOperation },
                new XtOption("restore-mark", Ids.RestoreMark, XtOptionType.None) { Excl = Ids.AnyOperation },
                new XtOption("left-shift-mark", Ids.LeftShiftMark, XtOptionType.UInt8) { Min = 0, Max = 32 },
                new XtOption("right-shift-mark", Ids.RightShiftMark, XtOptionType.UInt8) { Min = 0, Max = 32 },
                new XtOption("ctmask", Ids.CtMask, XtOptionType.UInt32, XtOptionFlags.Put) { Excl = 1u << Ids.Mask },
                new XtOption("nfmask", Ids.NfMask, XtOptionType.UInt32, XtOptionFlags.Put) { Excl = 1u << Ids.Mask },
                new XtOption("mask", Ids.Mask, XtOptionType.UInt32) { Excl = (1u << Ids.CtMask) | (1u << Ids.NfMask) },
            ])
        {
        }

        public override string Help =>
            "CONNMARK target options:\n" +
            "  --set-xmark value[/ctmask]    Zero mask bits and XOR ctmark with value\n" +
            "  --save-mark [--ctmask mask] [--nfmask mask]\n" +
            "                                Copy ctmark to nfmark using masks\n" +
            "  --restore-mark [--ctmask mask] [--nfmask mask]\n" +
            "                                Copy nfmark to ctmark using masks\n" +
            "  --set-mark value[/mask]       Set conntrack mark value\n" +
            "  --save-mark [--mask mask]     Save the packet nfmark in the connection\n" +
            "  --restore-mark [--mask mask]  Restore saved nfmark value\n" +
            "  --and-mark value              Binary AND the ctmark with bits\n" +
            "  --or-mark value               Binary OR  the ctmark with bits\n" +
            "  --xor-mark value              Binary XOR the ctmark with bits\n" +
            "  --left-shift-mark value       Left shift the ctmark with bits\n" +
            "  --right-shift-mark value      Right shift the ctmark with bits\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private uint _ctMark;
        private uint _ctMask = uint.MaxValue;
        private uint _nfMask = uint.MaxValue;
        private Shift _shiftDirection = Shift.Left;
        private byte _shiftBits;
        private ConnmarkMode _mode;

        public override void Parse(OptionCall call)
        {
            var value = call.Value;
            uint number = (uint)value.Number;
            switch (call.Entry.Id)
            {
                case Ids.SetXMark:
                    (_mode, _ctMark, _ctMask) = (ConnmarkMode.Set, value.Mark, value.Mask);
                    break;
                case Ids.SetMark:
                    (_mode, _ctMark, _ctMask) = (ConnmarkMode.Set, value.Mark, value.Mark | value.Mask);
                    break;
                case Ids.AndMark:
                    (_mode, _ctMark, _ctMask) = (ConnmarkMode.Set, 0, ~number);
                    break;
                case Ids.OrMark:
                    (_mode, _ctMark, _ctMask) = (ConnmarkMode.Set, number, number);
                    break;
                case Ids.XorMark:
                    (_mode, _ctMark, _ctMask) = (ConnmarkMode.Set, number, 0);
                    break;
                case Ids.SaveMark:
                    _mode = ConnmarkMode.Save;
                    break;
                case Ids.RestoreMark:
                    _mode = ConnmarkMode.Restore;
                    break;
                case Ids.CtMask:
                    _ctMask = number;
                    break;
                case Ids.NfMask:
                    _nfMask = number;
                    break;
                case Ids.Mask:
                    _nfMask = _ctMask = number;
                    break;
                case Ids.LeftShiftMark:
                    (_shiftDirection, _shiftBits) = (Shift.Left, (byte)number);
                    break;
                case Ids.RightShiftMark:
                    (_shiftDirection, _shiftBits) = (Shift.Right, (byte)number);
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & Ids.AnyOperation) == 0)
            {
                throw XtablesException.Parameter("CONNMARK target: No operation specified");
            }
        }

        public override TargetInfo Build() =>
            new ConnmarkTarget(_ctMark, _ctMask, _nfMask, _shiftDirection, _shiftBits, _mode);
    }
}
