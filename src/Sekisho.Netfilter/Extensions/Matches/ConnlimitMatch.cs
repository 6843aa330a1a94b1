using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using System.Globalization;
using System.Numerics;
using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>connlimit</c> match: the number of connections from (or to) an address group.</summary>
/// <remarks>
/// The kernel's <c>struct xt_connlimit_info</c> (xt_connlimit, revision 1) without its private data: the grouping
/// mask (a <c>union nf_inet_addr</c>, all ones unless <c>--connlimit-mask</c> gave a prefix), the limit and the
/// flags. <c>--connlimit-upto n</c> is the inverted form of <c>--connlimit-above n</c>.
/// </remarks>
public sealed record ConnlimitMatch(Ipv4Address Mask, bool MaskPadded, uint Limit, ConnlimitMatch.Options Flags) : MatchInfo
{
    private static readonly XtModule s_module = new("connlimit", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new ConnlimitExtension();

    /// <summary>The <c>XT_CONNLIMIT_*</c> flags.</summary>
    [Flags]
    public enum Options : uint
    {
        /// <summary>Above the limit, grouped by source address.</summary>
        None = 0,

        /// <summary><c>XT_CONNLIMIT_INVERT</c>: up to the limit.</summary>
        Invert = 1 << 0,

        /// <summary><c>XT_CONNLIMIT_DADDR</c>: grouped by destination address.</summary>
        DestinationAddress = 1 << 1,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <inheritdoc />
    public override object? CreateState(NetNamespace net) => new ConnectionCounter();

    /// <inheritdoc />
    /// <remarks>
    /// xt_connlimit's <c>connlimit_mt</c>: the group is the masked source (or destination) address in the
    /// connection's zone; the packet's connection (or, without one, its own tuple) is added to the group's count,
    /// which is compared with the limit. A packet whose tuple cannot be read is dropped.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        var data = packet.Data;
        ConntrackTuple tuple;
        var zone = ConntrackZone.Default;
        if (ct is not null)
        {
            tuple = ct.Original;
            zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
        }
        else if (data.Length < 20 || (data[6] & 0x1F) != 0 || data[7] != 0
            || !ConntrackTable.TryGetTuple(data, 0, (data[0] & 0x0F) * 4, data[9], out tuple))
        {
            context.HotDrop = true;
            return false;
        }

        uint address = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(
            data[((Flags & Options.DestinationAddress) != 0 ? 16 : 12)..]);
        int connections = ((ConnectionCounter)state!).Count(context.Net.Conntrack, address & Mask.Value, tuple, zone);
        return (connections > Limit) != ((Flags & Options.Invert) != 0);
    }

    /// <summary>libxt_connlimit's <c>count_bits4()</c>: 32 less the position of the highest bit of the inverted mask.</summary>
    private int MaskBits => BitOperations.LeadingZeroCount(~Mask.Value);

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(CultureInfo.InvariantCulture,
            $" #conn {((Flags & Options.DestinationAddress) != 0 ? "dst" : "src")}/{MaskBits} {((Flags & Options.Invert) != 0 ? "<=" : ">")} {Limit}");

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append((Flags & Options.Invert) != 0 ? " --connlimit-upto " : " --connlimit-above ")
            .Append(Limit.ToString(CultureInfo.InvariantCulture));

        // The state file leaves out the mask nobody gave: its padding bytes differ from an explicit /32.
        if (!(context.Exact && Mask == Ipv4Address.Broadcast && MaskPadded))
        {
            output.Append(" --connlimit-mask ").Append(MaskBits.ToString(CultureInfo.InvariantCulture));
        }

        output.Append((Flags & Options.DestinationAddress) != 0 ? " --connlimit-daddr" : " --connlimit-saddr");
    }

    private static class Ids
    {
        public const int UpTo = 0;
        public const int Above = 1;
        public const int Mask = 2;
        public const int SourceAddress = 3;
        public const int DestinationAddress = 4;
    }

    private sealed class ConnlimitExtension : MatchExtension
    {
        public ConnlimitExtension()
            : base("connlimit",
            [
                new XtOption("connlimit-upto", Ids.UpTo, XtOptionType.UInt32, XtOptionFlags.Invert | XtOptionFlags.Put)
                {
                    Excl = 1u << Ids.Above,
                },
                new XtOption("connlimit-above", Ids.Above, XtOptionType.UInt32, XtOptionFlags.Invert | XtOptionFlags.Put)
                {
                    Excl = 1u << Ids.UpTo,
                },
                new XtOption("connlimit-mask", Ids.Mask, XtOptionType.PrefixMask, XtOptionFlags.Put),
                new XtOption("connlimit-saddr", Ids.SourceAddress, XtOptionType.None)
                {
                    Excl = 1u << Ids.DestinationAddress,
                },
                new XtOption("connlimit-daddr", Ids.DestinationAddress, XtOptionType.None)
                {
                    Excl = 1u << Ids.SourceAddress,
                },
            ])
        {
        }

        public override string Help =>
            "connlimit match options:\n" +
            "  --connlimit-upto n     match if the number of existing connections is 0..n\n" +
            "  --connlimit-above n    match if the number of existing connections is >n\n" +
            "  --connlimit-mask n     group hosts using prefix length (default: max len)\n" +
            "  --connlimit-saddr      select source address for grouping\n" +
            "  --connlimit-daddr      select destination addresses for grouping\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private Ipv4Address _mask = Ipv4Address.Broadcast;
        private bool _maskPadded = true;
        private uint _limit;
        private Options _flags;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.Above:
                    _limit = (uint)call.Value.Number;
                    if (call.Invert)
                    {
                        _flags |= Options.Invert;
                    }

                    break;
                case Ids.UpTo:
                    _limit = (uint)call.Value.Number;
                    if (!call.Invert)
                    {
                        _flags |= Options.Invert;
                    }

                    break;
                case Ids.Mask:
                    _mask = call.Value.HostMask;
                    _maskPadded = call.Value.HostMaskPadded;
                    break;
                case Ids.SourceAddress:
                    _flags &= ~Options.DestinationAddress;
                    break;
                case Ids.DestinationAddress:
                    _flags |= Options.DestinationAddress;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & ((1u << Ids.UpTo) | (1u << Ids.Above))) == 0)
            {
                throw XtablesException.Parameter("You must specify \"--connlimit-above\" or \"--connlimit-upto\".");
            }
        }

        public override MatchInfo Build() => new ConnlimitMatch(_mask, _maskPadded, _limit, _flags);
    }
}
