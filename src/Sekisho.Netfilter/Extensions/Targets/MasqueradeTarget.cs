using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
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

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <summary>
    /// Source NAT to the address the outgoing device would use towards the next hop (<c>nf_nat_masquerade_ipv4</c>,
    /// <c>inet_select_addr</c>); the connection remembers the device, so that it dies with the address or when its
    /// packets leave another way. A connection from 0.0.0.0 is left alone; a device without address drops.
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        var output = context.Out;
        if (ct is null || output is null)
        {
            return NfVerdict.Drop;
        }

        if (ct.Original.Source.Value == 0)
        {
            return NfVerdict.Accept;
        }

        var nextHop = packet.NextHop.Value != 0 ? packet.NextHop : Sekisho.Packets.Ipv4Address.Read(packet.Data[16..]);
        var address = context.Net.Host.SelectSource(output, nextHop);
        if (address.Value == 0)
        {
            context.Net.Log.Write(6, $"{output.Name} ate my IP address", context.Net.Now);
            return NfVerdict.Drop;
        }

        ct.MasqueradeIndex = (ushort)output.Index;
        var range = Range with { Flags = Range.Flags | NatRangeFlags.MapIps, MinAddress = address, MaxAddress = address };
        return NatCore.SetupInfo(context.Net.Conntrack, ct, range, source: true);
    }

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
