using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>dscp</c> match: the DiffServ code point of the IP header.</summary>
/// <remarks>
/// The kernel's <c>struct xt_dscp_info</c> (xt_dscp, revision 0) and iptables' libxt_dscp. The value is given as a
/// number 0..63 or as a class name (BE, EF, AFxy, CSx; the argument needs only to begin with the name, any case).
/// </remarks>
public sealed record DscpMatch(byte Dscp, byte Invert) : MatchInfo
{
    /// <summary><c>XT_DSCP_MAX</c>.</summary>
    public const byte MaxDscp = 0x3F;

    private static readonly XtModule s_module = new("dscp", 0);

    // dscp_helper.c's ds_classes[].
    private static readonly (string Name, byte Dscp)[] s_classes =
    [
        ("CS0", 0x00), ("CS1", 0x08), ("CS2", 0x10), ("CS3", 0x18), ("CS4", 0x20), ("CS5", 0x28), ("CS6", 0x30),
        ("CS7", 0x38), ("BE", 0x00), ("AF11", 0x0a), ("AF12", 0x0c), ("AF13", 0x0e), ("AF21", 0x12),
        ("AF22", 0x14), ("AF23", 0x16), ("AF31", 0x1a), ("AF32", 0x1c), ("AF33", 0x1e), ("AF41", 0x22),
        ("AF42", 0x24), ("AF43", 0x26), ("EF", 0x2e),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new DscpExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_dscp's <c>dscp_mt()</c>: the upper six bits of the TOS byte equal the DSCP.</remarks>
    public override bool Match(PacketContext context, object? state) =>
        ((context.Data[1] >> 2) == Dscp) ^ (Invert != 0);

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $" DSCP match {(Invert != 0 ? "!" : string.Empty)}0x{Dscp:x2}");

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $"{(Invert != 0 ? " !" : string.Empty)} --dscp 0x{Dscp:x2}");

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) => Dscp > MaxDscp ? Errno.EDOM : Errno.Ok;

    /// <summary><c>class_to_dscp</c>: the first class whose name begins the argument.</summary>
    internal static byte ClassToDscp(string name)
    {
        foreach (var (className, dscp) in s_classes)
        {
            if (CStrings.StartsWithIgnoreCase(name, className))
            {
                return dscp;
            }
        }

        throw XtablesException.Parameter($"Invalid DSCP value `{name}'");
    }

    private static class Ids
    {
        public const int Dscp = 0;
        public const int DscpClass = 1;
    }

    private sealed class DscpExtension : MatchExtension
    {
        public DscpExtension()
            : base("dscp",
            [
                new XtOption("dscp", Ids.Dscp, XtOptionType.UInt8, XtOptionFlags.Invert | XtOptionFlags.Put)
                {
                    Max = MaxDscp, Excl = 1u << Ids.DscpClass,
                },
                new XtOption("dscp-class", Ids.DscpClass, XtOptionType.String, XtOptionFlags.Invert)
                {
                    Excl = 1u << Ids.Dscp,
                },
            ])
        {
        }

        public override string Help =>
            "dscp match options\n" +
            "[!] --dscp value\t\tMatch DSCP codepoint with numerical value\n" +
            "  \t\t                This value can be in decimal (ex: 32)\n" +
            "               \t\tor in hex (ex: 0x20)\n" +
            "[!] --dscp-class name\t\tMatch the DiffServ class. This value may\n" +
            "\t\t\t\tbe any of the BE,EF, AFxx or CSx classes\n" +
            "\n" +
            "\t\t\t\tThese two options are mutually exclusive !\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private byte _dscp;
        private byte _invert;

        public override void Parse(OptionCall call)
        {
            _dscp = call.Entry.Id == Ids.Dscp ? (byte)call.Value.Number : ClassToDscp(call.Arg);
            if (call.Invert)
            {
                _invert = 1;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("DSCP match: Parameter --dscp is required");
            }
        }

        public override MatchInfo Build() => new DscpMatch(_dscp, _invert);
    }
}
