using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>REDIRECT</c> target: destination NAT to the local machine, optionally to other ports.</summary>
/// <remarks>
/// The kernel's <c>struct nf_nat_ipv4_multi_range_compat</c> (xt_REDIRECT, revision 0), whose single range
/// carries only flags and ports (<c>--to-ports</c>); the address is the receiving interface's (or loopback) at
/// packet time. iptables refuses shifted port ranges for it (<c>DNAT_fcheck()</c>). Only in the nat table, from
/// PREROUTING and OUTPUT; the kernel refuses a range that maps addresses (which iptables cannot produce),
/// without a log line.
/// </remarks>
/// <param name="Range">The flags and port range; no addresses, base port 0.</param>
public sealed record RedirectTarget(NatRange Range) : TargetInfo
{
    private static readonly XtModule s_module = new("REDIRECT", 0)
    {
        Table = "nat",
        Hooks = HookMask.PreRouting | HookMask.LocalOut,
    };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new RedirectExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "REDIRECT";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "redir ports ", string.Empty, skipColon: true);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        NatSyntax.Print(output, Range, "--to-ports ", "--", skipColon: true, exact: context.Exact);

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        Range.MapsAddresses ? Errno.EINVAL : Errno.Ok;

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <summary>
    /// Destination NAT to the host itself (<c>nf_nat_redirect_ipv4</c>): 127.0.0.1 for the host's own packets, the
    /// primary address of the incoming device otherwise (none: drop); the ports from the range.
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var ct = context.Packet.Conntrack;
        if (ct is null)
        {
            return NfVerdict.Drop;
        }

        Sekisho.Packets.Ipv4Address address;
        if (context.Hook == Hook.LocalOut)
        {
            address = new Sekisho.Packets.Ipv4Address(0x7F000001);
        }
        else
        {
            var device = context.In;
            if (device is null || device.Addresses.Count == 0)
            {
                return NfVerdict.Drop;
            }

            address = device.Addresses[0].Address;
        }

        var range = Range with { Flags = Range.Flags | NatRangeFlags.MapIps, MinAddress = address, MaxAddress = address };
        return NatCore.SetupInfo(context.Net.Conntrack, ct, range, source: false);
    }

    private sealed class RedirectExtension : TargetExtension
    {
        public RedirectExtension()
            : base("REDIRECT",
            [
                new XtOption("to-ports", NatSyntax.ToPorts, XtOptionType.String),
                new XtOption("random", NatSyntax.Random, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "REDIRECT target options:\n" +
            " --to-ports <port>[-<port>]\n" +
            "\t\t\t\tPort (range) to map to.\n" +
            " [--random]\n";

        public override TargetParser CreateParser() =>
            new CompatNatParser(static range => new RedirectTarget(range), refuseShifted: true);
    }
}
