using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>CHECKSUM</c> target: fills in the layer-4 checksum of a packet whose checksum is pending.</summary>
/// <remarks>
/// The kernel's <c>struct xt_CHECKSUM_info</c> (xt_CHECKSUM, revision 0, mangle table only) and iptables'
/// libxt_CHECKSUM, whose only option is mandatory. The kernel's once-per-boot warning for rules not limited to
/// <c>-p udp</c> accepts the rule and is not reproduced.
/// </remarks>
public sealed record ChecksumTarget(ChecksumTarget.ChecksumOperation Operation) : TargetInfo
{
    private static readonly XtModule s_module = new("CHECKSUM", 0) { Table = "mangle" };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new ChecksumExtension();

    /// <summary>The <c>XT_CHECKSUM_OP_*</c> bits.</summary>
    [Flags]
    public enum ChecksumOperation : byte
    {
        /// <summary>Nothing (refused by the kernel).</summary>
        None = 0,

        /// <summary><c>XT_CHECKSUM_OP_FILL</c>.</summary>
        Fill = 0x01,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "CHECKSUM";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" CHECKSUM");
        if ((Operation & ChecksumOperation.Fill) != 0)
        {
            output.Append(" fill");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Operation & ChecksumOperation.Fill) != 0)
        {
            output.Append(" --checksum-fill");
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((Operation & ~ChecksumOperation.Fill) != 0)
        {
            context.Log.Write($"xt_CHECKSUM: unsupported CHECKSUM operation {(byte)Operation:x}");
            return Errno.EINVAL;
        }

        return Operation == ChecksumOperation.None ? Errno.EINVAL : Errno.Ok;
    }

    /// <summary>
    /// Goes on (<c>checksum_tg</c>): the kernel completes checksums left pending by offloading, and Sekisho's
    /// packets always carry complete ones.
    /// </summary>
    public override uint Execute(PacketContext context, object? state) => NfVerdict.Continue;

    private sealed class ChecksumExtension : TargetExtension
    {
        public ChecksumExtension()
            : base("CHECKSUM", [new XtOption("checksum-fill", 0, XtOptionType.None, XtOptionFlags.Mandatory)])
        {
        }

        public override string Help =>
            "CHECKSUM target options\n" +
            "  --checksum-fill\t\t\tFill in packet checksum.\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private ChecksumOperation _operation;

        public override void Parse(OptionCall call) => _operation = ChecksumOperation.Fill;

        public override TargetInfo Build() => new ChecksumTarget(_operation);
    }
}
