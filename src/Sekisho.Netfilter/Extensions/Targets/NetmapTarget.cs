using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>NETMAP</c> target: maps a whole network one-to-one onto another.</summary>
/// <remarks>
/// The kernel's <c>struct nf_nat_ipv4_multi_range_compat</c> (xt_NETMAP, revision 0): <c>--to address/mask</c>
/// becomes the address range from the masked address to its last host, flag
/// <see cref="NatRangeFlags.MapIps"/>. In PREROUTING and OUTPUT the destination network is rewritten, in
/// POSTROUTING and INPUT the source. Only in the nat table (all its hooks); the kernel refuses a range that
/// does not map addresses (which iptables cannot produce), without a log line.
/// </remarks>
/// <param name="Range">The network as an address range: flags <see cref="NatRangeFlags.MapIps"/>, no ports.</param>
public sealed record NetmapTarget(NatRange Range) : TargetInfo
{
    private const int ToId = 0;

    private static readonly XtModule s_module = new("NETMAP", 0)
    {
        Table = "nat",
        Hooks = HookMask.PreRouting | HookMask.PostRouting | HookMask.LocalOut | HookMask.LocalIn,
    };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new NetmapExtension();

    /// <summary>The network mask the range stands for: the bits where its first and last address agree.</summary>
    public Ipv4Address Mask => new(~(Range.MinAddress.Value ^ Range.MaxAddress.Value));

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "NETMAP";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" to:");
        AppendNetwork(output);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" --to ");
        AppendNetwork(output);
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        Range.MapsAddresses ? Errno.Ok : Errno.EINVAL;

    /// <summary>The first address, then <c>/bits</c>, or <c>/mask</c> when the mask has holes.</summary>
    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <summary>
    /// Maps the network part of the destination (PREROUTING, OUTPUT) or the source (POSTROUTING, INPUT) to the
    /// target network, keeping the host part (<c>netmap_tg4</c>).
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        if (ct is null)
        {
            return NfVerdict.Drop;
        }

        bool source = NatCore.IsSourceHook(context.Hook);
        uint netmask = ~(Range.MinAddress.Value ^ Range.MaxAddress.Value);
        uint current = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet.Data[(source ? 12 : 16)..]);
        var mapped = new Ipv4Address((current & ~netmask) | (Range.MinAddress.Value & netmask));
        var range = Range with { Flags = Range.Flags | NatRangeFlags.MapIps, MinAddress = mapped, MaxAddress = mapped };
        return NatCore.SetupInfo(context.Net.Conntrack, ct, range, source);
    }

    private void AppendNetwork(StringBuilder output)
    {
        output.Append(Range.MinAddress.ToString());
        var mask = Mask;
        int bits = mask.PrefixLength;
        if (bits < 0)
        {
            output.Append('/').Append(mask.ToString());
        }
        else
        {
            output.Append('/').Append(bits.ToString(CultureInfo.InvariantCulture));
        }
    }

    private sealed class NetmapExtension : TargetExtension
    {
        public NetmapExtension()
            : base("NETMAP",
            [
                new XtOption("to", ToId, XtOptionType.HostMask, XtOptionFlags.Mandatory),
            ])
        {
        }

        public override string Help =>
            "NETMAP target options:\n" +
            "  --to address[/mask]\n" +
            "\t\t\t\tNetwork address to map to.\n\n";

        public override TargetParser CreateParser() => new Parser();
    }

    /// <summary><c>NETMAP_parse()</c>: the masked address and the last address of its network.</summary>
    private sealed class Parser : TargetParser
    {
        private NatRange _range;

        public override void Parse(OptionCall call)
        {
            var mask = call.Value.HostMask;
            var min = call.Value.HostAddress & mask;
            _range = _range with { Flags = _range.Flags | NatRangeFlags.MapIps, MinAddress = min, MaxAddress = min | ~mask };
        }

        public override TargetInfo Build() => new NetmapTarget(_range);
    }
}
