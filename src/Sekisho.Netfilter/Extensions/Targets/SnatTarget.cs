using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>SNAT</c> target: rewrites the source address (and port) of new connections.</summary>
/// <remarks>
/// iptables 1.8.9 has only revision 0 of SNAT for IPv4: the kernel's <c>struct nf_nat_ipv4_multi_range_compat</c>
/// (xt_nat), whose single range is <see cref="Range"/> (<c>rangesize</c> is always 1). That structure has no
/// base port, so a shifted range (<c>lo-hi/base</c>) keeps only the <see cref="NatRangeFlags.ProtoOffset"/> flag
/// and lists as <c>/0</c>, as with iptables. Only in the nat table, from POSTROUTING and INPUT.
/// </remarks>
/// <param name="Range">The mapping; its base port is always 0.</param>
public sealed record SnatTarget(NatRange Range) : TargetInfo
{
    private static readonly XtModule s_module = new("SNAT", 0)
    {
        Table = "nat",
        Hooks = HookMask.PostRouting | HookMask.LocalIn,
    };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new SnatExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "SNAT";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "to:", string.Empty, skipColon: false);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "--to-source ", "--", skipColon: false, exact: context.Exact);

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <summary>Binds the connection's source into the range (<c>xt_snat_target_v0</c>: <c>nf_nat_setup_info</c>, source).</summary>
    public override uint Execute(PacketContext context, object? state) =>
        context.Packet.Conntrack is { } ct ? NatCore.SetupInfo(context.Net.Conntrack, ct, Range, source: true) : NfVerdict.Drop;

    private sealed class SnatExtension : TargetExtension
    {
        public SnatExtension()
            : base("SNAT",
            [
                new XtOption("to-source", NatSyntax.ToSource, XtOptionType.String, XtOptionFlags.Mandatory),
                new XtOption("random", NatSyntax.Random, XtOptionType.None),
                new XtOption("random-fully", NatSyntax.RandomFully, XtOptionType.None),
                new XtOption("persistent", NatSyntax.Persistent, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "SNAT target options:\n" +
            " --to-source [<ipaddr>[-<ipaddr>]][:port[-port]]\n" +
            "\t\t\t\tAddress to map source to.\n" +
            "[--random] [--random-fully] [--persistent]\n";

        public override TargetParser CreateParser() => new CompatNatParser(static range => new SnatTarget(range));
    }
}
