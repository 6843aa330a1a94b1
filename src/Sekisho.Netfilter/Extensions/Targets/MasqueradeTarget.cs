using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>MASQUERADE</c> target: source NAT to the address of the outgoing interface.</summary>
/// <remarks>
/// The kernel's <c>struct nf_nat_ipv4_multi_range_compat</c> (xt_MASQUERADE, revision 0), whose single range
/// carries only flags and ports (<c>--to-ports</c>); the address comes from the interface at packet time. As
/// with SNAT, a shifted range keeps only its flag and lists as <c>/0</c>. Only in the nat table, from
/// POSTROUTING; the kernel refuses a range that maps addresses (which iptables cannot produce), without a log line.
/// </remarks>
/// <param name="Range">The flags and port range; no addresses, base port 0.</param>
public sealed record MasqueradeTarget(NatRange Range) : TargetInfo
{
    private static readonly XtModule s_module = new("MASQUERADE", 0)
    {
        Table = "nat",
        Hooks = HookMask.PostRouting,
    };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new MasqueradeExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "MASQUERADE";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "masq ports: ", string.Empty, skipColon: true);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "--to-ports ", "--", skipColon: true, exact: context.Exact);

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        Range.MapsAddresses ? Errno.EINVAL : Errno.Ok;

    private sealed class MasqueradeExtension : TargetExtension
    {
        public MasqueradeExtension()
            : base("MASQUERADE",
            [
                new XtOption("to-ports", NatSyntax.ToPorts, XtOptionType.String),
                new XtOption("random", NatSyntax.Random, XtOptionType.None),
                new XtOption("random-fully", NatSyntax.RandomFully, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "MASQUERADE target options:\n" +
            " --to-ports <port>[-<port>]\n" +
            "\t\t\t\tPort (range) to map to.\n" +
            " --random\n" +
            "\t\t\t\tRandomize source port.\n" +
            " --random-fully\n" +
            "\t\t\t\tFully randomize source port.\n";

        public override TargetParser CreateParser() => new CompatNatParser(static range => new MasqueradeTarget(range));
    }
}
