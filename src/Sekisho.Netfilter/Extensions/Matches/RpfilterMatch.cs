using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>rpfilter</c> match: reverse path filtering by a route lookup of the source address.</summary>
/// <remarks>
/// The kernel's <c>struct xt_rpfilter_info</c> (ipt_rpfilter, revision 0): usable only from PREROUTING, and its
/// checkentry admits only the raw and mangle tables.
/// </remarks>
public sealed record RpfilterMatch(RpfilterMatch.Options Flags) : MatchInfo
{
    private static readonly XtModule s_module = new("rpfilter", 0) { Hooks = HookMask.PreRouting };

    private static readonly (Options Flag, string Name)[] s_names =
    [
        (Options.Loose, "loose"), (Options.ValidMark, "validmark"), (Options.AcceptLocal, "accept-local"),
        (Options.Invert, "invert"),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new RpfilterExtension();

    /// <summary>The <c>XT_RPFILTER_*</c> flags.</summary>
    [Flags]
    public enum Options : byte
    {
        /// <summary>Strict mode.</summary>
        None = 0,

        /// <summary><c>XT_RPFILTER_LOOSE</c>: the reverse path may use any interface.</summary>
        Loose = 1 << 0,

        /// <summary><c>XT_RPFILTER_VALID_MARK</c>: the lookup uses the packet's mark.</summary>
        ValidMark = 1 << 1,

        /// <summary><c>XT_RPFILTER_ACCEPT_LOCAL</c>: local source addresses pass.</summary>
        AcceptLocal = 1 << 2,

        /// <summary><c>XT_RPFILTER_INVERT</c>: match packets that fail the test.</summary>
        Invert = 1 << 3,

        /// <summary><c>XT_RPFILTER_OPTION_MASK</c>.</summary>
        Mask = 0x0F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// ipt_rpfilter's <c>rpfilter_mt()</c>: packets on the loopback device pass, as do those from 0.0.0.0/8 to the
    /// limited broadcast or 224.0.0.0/24; otherwise the route back to the source must be a unicast route (or a
    /// local one with <c>--accept-local</c>) through the input device (any device with <c>--loose</c>).
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        bool invert = (Flags & Options.Invert) != 0;
        var input = context.In;
        if (context.Packet.PacketType == PacketType.Loopback || input is null || input.IsLoopback)
        {
            return !invert;
        }

        var data = context.Data;
        var source = Ipv4Address.Read(data[12..]);
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        if ((source.Value & 0xFF000000) == 0
            && (destination == 0xFFFFFFFF || (destination & 0xFFFFFF00) == 0xE0000000))
        {
            return !invert;
        }

        return ReverseRouteOk(context.Net.Host, source, input) ^ invert;
    }

    // rpfilter_lookup_reverse(): the route towards the source, as fib_lookup() finds it (the local table first).
    private bool ReverseRouteOk(HostModel host, Ipv4Address source, NetDevice input)
    {
        var route = host.RouteOutput(source);
        if (route.Type == RouteType.Unicast)
        {
            return route.Device == input || (Flags & Options.Loose) != 0;
        }

        if (route.Type != RouteType.Local || (Flags & Options.AcceptLocal) == 0)
        {
            return false;
        }

        if ((Flags & Options.Loose) != 0)
        {
            return true;
        }

        // A local route's next hop is the device holding the address.
        var devices = host.Devices;
        for (int i = 0; i < devices.Count; i++)
        {
            var addresses = devices[i].Addresses;
            for (int j = 0; j < addresses.Count; j++)
            {
                if (addresses[j].Address == source)
                {
                    return devices[i] == input;
                }
            }
        }

        return host.Loopback == input;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" rpfilter");
        Append(output, string.Empty);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Append(output, "--");

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((Flags & ~Options.Mask) != 0)
        {
            context.Log.Write("ipt_rpfilter: unknown options");
            return Errno.EINVAL;
        }

        if (context.Table != "mangle" && context.Table != "raw")
        {
            context.Log.Write($"ipt_rpfilter: only valid in 'raw' or 'mangle' table, not '{context.Table}'");
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    private void Append(StringBuilder output, string prefix)
    {
        foreach (var (flag, name) in s_names)
        {
            if ((Flags & flag) != 0)
            {
                output.Append(' ').Append(prefix).Append(name);
            }
        }
    }

    private sealed class RpfilterExtension : MatchExtension
    {
        public RpfilterExtension()
            : base("rpfilter",
            [
                new XtOption("loose", 0, XtOptionType.None),
                new XtOption("validmark", 1, XtOptionType.None),
                new XtOption("accept-local", 2, XtOptionType.None),
                new XtOption("invert", 3, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "rpfilter match options:\n" +
            "    --loose          permit reverse path via any interface\n" +
            "    --validmark      use skb nfmark when performing route lookup\n" +
            "    --accept-local   do not reject packets with a local source address\n" +
            "    --invert         match packets that failed the reverse path test\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private Options _flags;

        // Option ids are the flag bit numbers.
        public override void Parse(OptionCall call) => _flags |= (Options)(1 << call.Entry.Id);

        public override MatchInfo Build() => new RpfilterMatch(_flags);
    }
}
