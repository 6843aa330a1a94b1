using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>physdev</c> match: the bridge ports a bridged packet came in on or goes out by.</summary>
/// <remarks>
/// The kernel's <c>struct xt_physdev_info</c> (xt_physdev, revision 0). The port names are kept as given, a
/// trailing <c>+</c> included (their byte masks follow from the text, as <c>xtables_parse_interface</c> builds
/// them). The kernel refuses <c>--physdev-out</c>/<c>--physdev-is-out</c> from OUTPUT unless
/// <c>--physdev-is-bridged</c> is given, uninverted.
/// </remarks>
public sealed record PhysdevMatch(string InDevice, string OutDevice, PhysdevMatch.Options Invert, PhysdevMatch.Options Bitmask)
    : MatchInfo
{
    private static readonly XtModule s_module = new("physdev", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new PhysdevExtension();

    /// <summary>The <c>XT_PHYSDEV_OP_*</c> bits.</summary>
    [Flags]
    public enum Options : byte
    {
        /// <summary>Nothing.</summary>
        None = 0,

        /// <summary><c>XT_PHYSDEV_OP_IN</c>: <c>--physdev-in</c>.</summary>
        In = 0x01,

        /// <summary><c>XT_PHYSDEV_OP_OUT</c>: <c>--physdev-out</c>.</summary>
        Out = 0x02,

        /// <summary><c>XT_PHYSDEV_OP_BRIDGED</c>: <c>--physdev-is-bridged</c>.</summary>
        Bridged = 0x04,

        /// <summary><c>XT_PHYSDEV_OP_ISIN</c>: <c>--physdev-is-in</c>.</summary>
        IsIn = 0x08,

        /// <summary><c>XT_PHYSDEV_OP_ISOUT</c>: <c>--physdev-is-out</c>.</summary>
        IsOut = 0x10,

        /// <summary><c>XT_PHYSDEV_OP_MASK</c>.</summary>
        Mask = 0x1F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_physdev's <c>physdev_mt()</c> for a packet that did not pass a bridge (Sekisho has none): it matches only
    /// when every option given is inverted.
    /// </remarks>
    public override bool Match(PacketContext context, object? state) => (Bitmask & ~Invert & Options.Mask) == 0;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" PHYSDEV match");
        Append(output, context);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) => Append(output, context);

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((Bitmask & Options.Mask) == 0 || (Bitmask & ~Options.Mask) != 0)
        {
            return Errno.EINVAL;
        }

        if ((Bitmask & (Options.Out | Options.IsOut)) != 0 &&
            ((Bitmask & Options.Bridged) == 0 || (Invert & Options.Bridged) != 0) &&
            (context.Hooks & HookMask.LocalOut) != 0)
        {
            context.Log.Write(
                "xt_physdev: --physdev-out and --physdev-is-out only supported in the FORWARD and POSTROUTING chains with bridged traffic");
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    private void Append(StringBuilder output, FormatContext context)
    {
        Flag(output, Options.IsIn, "--physdev-is-in");
        if ((Bitmask & Options.In) != 0)
        {
            Flag(output, Options.In, "--physdev-in");
            Device(output, InDevice, context);
        }

        Flag(output, Options.IsOut, "--physdev-is-out");
        if ((Bitmask & Options.Out) != 0)
        {
            Flag(output, Options.Out, "--physdev-out");
            Device(output, OutDevice, context);
        }

        Flag(output, Options.Bridged, "--physdev-is-bridged");
    }

    private static void Device(StringBuilder output, string name, FormatContext context)
    {
        // iptables prints the name bare, even when empty or with spaces; the state file must read it back.
        if (context.Exact)
        {
            Xt.SaveString(output, name);
        }
        else
        {
            output.Append(' ').Append(name);
        }
    }

    private void Flag(StringBuilder output, Options option, string name)
    {
        if ((Bitmask & option) == 0)
        {
            return;
        }

        output.Append((Invert & option) != 0 ? " !" : string.Empty).Append(' ').Append(name);
    }

    private static class Ids
    {
        public const int In = 0;
        public const int Out = 1;
        public const int IsIn = 2;
        public const int IsOut = 3;
        public const int IsBridged = 4;
    }

    private sealed class PhysdevExtension : MatchExtension
    {
        private const XtOptionFlags Inv = XtOptionFlags.Invert;

        public PhysdevExtension()
            : base("physdev",
            [
                new XtOption("physdev-in", Ids.In, XtOptionType.String, Inv | XtOptionFlags.Put) { Size = Xt.InterfaceNameSize },
                new XtOption("physdev-out", Ids.Out, XtOptionType.String, Inv | XtOptionFlags.Put) { Size = Xt.InterfaceNameSize },
                new XtOption("physdev-is-in", Ids.IsIn, XtOptionType.None, Inv),
                new XtOption("physdev-is-out", Ids.IsOut, XtOptionType.None, Inv),
                new XtOption("physdev-is-bridged", Ids.IsBridged, XtOptionType.None, Inv),
            ])
        {
        }

        public override string Help =>
            "physdev match options:\n" +
            " [!] --physdev-in inputname[+]\t\tbridge port name ([+] for wildcard)\n" +
            " [!] --physdev-out outputname[+]\tbridge port name ([+] for wildcard)\n" +
            " [!] --physdev-is-in\t\t\tarrived on a bridge device\n" +
            " [!] --physdev-is-out\t\t\twill leave on a bridge device\n" +
            " [!] --physdev-is-bridged\t\tit's a bridged packet\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private string _in = string.Empty;
        private string _out = string.Empty;
        private Options _invert;
        private Options _bitmask;

        public override void Parse(OptionCall call)
        {
            var option = call.Entry.Id switch
            {
                Ids.In => Options.In,
                Ids.Out => Options.Out,
                Ids.IsIn => Options.IsIn,
                Ids.IsOut => Options.IsOut,
                _ => Options.Bridged,
            };
            if (option == Options.In)
            {
                _in = Xt.ParseInterface(call.Arg, call.Environment.Stderr).Text;
            }
            else if (option == Options.Out)
            {
                _out = Xt.ParseInterface(call.Arg, call.Environment.Stderr).Text;
            }

            _bitmask |= option;
            if (call.Invert)
            {
                _invert |= option;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("PHYSDEV: no physdev option specified");
            }
        }

        public override MatchInfo Build() => new PhysdevMatch(_in, _out, _invert, _bitmask);
    }
}
