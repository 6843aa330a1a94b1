using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>DNAT</c> target: rewrites the destination address (and port) of new connections.</summary>
/// <remarks>
/// Revision 2, which iptables 1.8.9 selects on current kernels: the kernel's <c>struct nf_nat_range2</c>
/// (xt_nat), so a shifted port range (<c>--to-destination a:lo-hi/base</c>) keeps its base port. Only in the nat
/// table, from PREROUTING and OUTPUT.
/// </remarks>
/// <param name="Range">The mapping.</param>
public sealed record DnatTarget(NatRange Range) : TargetInfo
{
    private static readonly XtModule s_module = new("DNAT", 2)
    {
        Table = "nat",
        Hooks = HookMask.PreRouting | HookMask.LocalOut,
    };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new DnatExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "DNAT";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "to:", string.Empty, skipColon: false);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "--to-destination ", "--", skipColon: false, exact: context.Exact);

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <summary>Binds the connection's destination into the range (<c>xt_dnat_target_v2</c>: <c>nf_nat_setup_info</c>, destination).</summary>
    public override uint Execute(PacketContext context, object? state) =>
        context.Packet.Conntrack is { } ct ? NatCore.SetupInfo(context.Net.Conntrack, ct, Range, source: false) : NfVerdict.Drop;

    private sealed class DnatExtension : TargetExtension
    {
        public DnatExtension()
            : base("DNAT",
            [
                new XtOption("to-destination", NatSyntax.ToDestination, XtOptionType.String, XtOptionFlags.Mandatory),
                new XtOption("random", NatSyntax.Random, XtOptionType.None),
                new XtOption("persistent", NatSyntax.Persistent, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "DNAT target options:\n" +
            " --to-destination [<ipaddr>[-<ipaddr>]][:port[-port[/port]]]\n" +
            "\t\t\t\tAddress to map destination to.\n" +
            "[--random] [--persistent]\n";

        public override TargetParser CreateParser() => new Parser();
    }

    /// <summary><c>DNAT_parse_v2()</c>: every option works on the one <c>nf_nat_range2</c>.</summary>
    private sealed class Parser : TargetParser
    {
        private NatRange _range;

        public override void Parse(OptionCall call)
        {
            _range = call.Entry.Id == NatSyntax.ToDestination
                ? NatSyntax.ParseTo(call.Arg, NatSyntax.PortsAllowed(call.EntryContext), _range, call.Environment.Names)
                : _range with { Flags = _range.Flags | NatSyntax.FlagOf(call.Entry.Id) };
        }

        public override TargetInfo Build() => new DnatTarget(_range);
    }
}
