using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>DSCP</c> target: sets the six DSCP bits of the IPv4 TOS byte.</summary>
/// <remarks>
/// The kernel's <c>struct xt_DSCP_info</c> (xt_DSCP, revision 0, mangle table only) and iptables' libxt_DSCP
/// with its DiffServ class names (dscp_helper.c). The kernel refuses a value above 0x3f with EDOM.
/// </remarks>
public sealed record DscpTarget(byte Dscp) : TargetInfo
{
    /// <summary><c>XT_DSCP_MAX</c>.</summary>
    public const byte MaxDscp = 0x3F;

    private static readonly XtModule s_module = new("DSCP", 0) { Table = "mangle" };

    // dscp_helper.c's ds_classes[], in the order iptables tries them.
    private static readonly (string Name, byte Dscp)[] s_classes =
    [
        ("CS0", 0x00), ("CS1", 0x08), ("CS2", 0x10), ("CS3", 0x18), ("CS4", 0x20), ("CS5", 0x28), ("CS6", 0x30),
        ("CS7", 0x38), ("BE", 0x00), ("AF11", 0x0a), ("AF12", 0x0c), ("AF13", 0x0e), ("AF21", 0x12), ("AF22", 0x14),
        ("AF23", 0x16), ("AF31", 0x1a), ("AF32", 0x1c), ("AF33", 0x1e), ("AF41", 0x22), ("AF42", 0x24),
        ("AF43", 0x26), ("EF", 0x2e),
    ];

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new DscpExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "DSCP";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $" DSCP set 0x{Dscp:x2}");

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture, $" --set-dscp 0x{Dscp:x2}");

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) => Dscp > MaxDscp ? Errno.EDOM : Errno.Ok;

    /// <summary>
    /// <c>class_to_dscp()</c>: the first class whose name starts the text (ignoring case; anything may follow),
    /// e.g. "ef", "AF11", "cs1x".
    /// </summary>
    internal static byte ClassToDscp(string text)
    {
        foreach (var (name, dscp) in s_classes)
        {
            if (CStrings.StartsWithIgnoreCase(text, name))
            {
                return dscp;
            }
        }

        throw XtablesException.Parameter($"Invalid DSCP value `{text}'");
    }

    /// <summary>
    /// Sets the DSCP bits when they differ, keeping the ECN bits, with the kernel's incremental header checksum
    /// update (<c>dscp_tg</c>), and goes on.
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var data = context.Data;
        if (data[1] >> 2 != Dscp)
        {
            DsField.Change(data, 0x03, (byte)(Dscp << 2));
            context.Packet.Modified = true;
        }

        return NfVerdict.Continue;
    }

    private static class Ids
    {
        public const int SetDscp = 0;
        public const int SetDscpClass = 1;
    }

    private sealed class DscpExtension : TargetExtension
    {
        public DscpExtension()
            : base("DSCP",
            [
                new XtOption("set-dscp", Ids.SetDscp, XtOptionType.UInt8, XtOptionFlags.Put)
                {
                    Excl = 1u << Ids.SetDscpClass, Min = 0, Max = MaxDscp,
                },
                new XtOption("set-dscp-class", Ids.SetDscpClass, XtOptionType.String) { Excl = 1u << Ids.SetDscp },
            ])
        {
        }

        public override string Help =>
            "DSCP target options\n" +
            "  --set-dscp value\t\tSet DSCP field in packet header to value\n" +
            "  \t\t                This value can be in decimal (ex: 32)\n" +
            "               \t\tor in hex (ex: 0x20)\n" +
            "  --set-dscp-class class\tSet the DSCP field in packet header to the\n" +
            "\t\t\t\tvalue represented by the DiffServ class value.\n" +
            "\t\t\t\tThis class may be EF,BE or any of the CSxx\n" +
            "\t\t\t\tor AFxx classes.\n" +
            "\n" +
            "\t\t\t\tThese two options are mutually exclusive !\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private byte _dscp;

        public override void Parse(OptionCall call)
        {
            _dscp = call.Entry.Id == Ids.SetDscpClass ? ClassToDscp(call.Arg) : (byte)call.Value.Number;
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("DSCP target: Parameter --set-dscp is required");
            }
        }

        public override TargetInfo Build() => new DscpTarget(_dscp);
    }
}
