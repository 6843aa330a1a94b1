using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>addrtype</c> match: the routing type of the source and/or destination address.</summary>
/// <remarks>
/// The kernel's <c>struct xt_addrtype_info_v1</c> (xt_addrtype, revision 1) and iptables' libxt_addrtype. Types
/// are bits by their <c>RTN_*</c> number; a name is matched as a prefix, ignoring case, the first type in
/// <c>RTN_*</c> order winning. The kernel refuses <c>--limit-iface-out</c> in rules reachable from PREROUTING or
/// INPUT and <c>--limit-iface-in</c> from POSTROUTING or OUTPUT.
/// </remarks>
public sealed record AddrtypeMatch(ushort SourceTypes, ushort DestinationTypes, AddrtypeMatch.Options Flags) : MatchInfo
{
    private static readonly XtModule s_module = new("addrtype", 1);

    // RTN_UNSPEC ... RTN_XRESOLVE, in number order.
    private static readonly string[] s_typeNames =
    [
        "UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST", "BLACKHOLE", "UNREACHABLE",
        "PROHIBIT", "THROW", "NAT", "XRESOLVE",
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new AddrtypeExtension();

    /// <summary>The <c>XT_ADDRTYPE_*</c> flags.</summary>
    [Flags]
    public enum Options : uint
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>XT_ADDRTYPE_INVERT_SOURCE</c>.</summary>
        InvertSource = 0x01,

        /// <summary><c>XT_ADDRTYPE_INVERT_DEST</c>.</summary>
        InvertDestination = 0x02,

        /// <summary><c>XT_ADDRTYPE_LIMIT_IFACE_IN</c>: look the address up on the incoming interface only.</summary>
        LimitInterfaceIn = 0x04,

        /// <summary><c>XT_ADDRTYPE_LIMIT_IFACE_OUT</c>: look the address up on the outgoing interface only.</summary>
        LimitInterfaceOut = 0x08,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_addrtype's <c>addrtype_mt_v1()</c>: each address type set given must hold the type of the address as
    /// <c>inet_dev_addr_type()</c> classifies it (restricted to the input or output device with
    /// <c>--limit-iface-in</c>/<c>-out</c>), inverted where asked; the destination is looked at only when the source
    /// passed.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        NetDevice? device = null;
        if ((Flags & Options.LimitInterfaceIn) != 0)
        {
            device = context.In;
        }
        else if ((Flags & Options.LimitInterfaceOut) != 0)
        {
            device = context.Out;
        }

        var data = context.Data;
        var host = context.Net.Host;
        if (SourceTypes != 0
            && (HasType(host, device, Ipv4Address.Read(data[12..]), SourceTypes) == ((Flags & Options.InvertSource) != 0)))
        {
            return false;
        }

        return DestinationTypes == 0
            || HasType(host, device, Ipv4Address.Read(data[16..]), DestinationTypes) != ((Flags & Options.InvertDestination) != 0);
    }

    // inet_dev_addr_type(): 0.0.0.0/8 and 255.255.255.255 are broadcast, class D multicast; otherwise the route's type,
    // unicast when no usable route holds the address or its route belongs to another device (so BLACKHOLE,
    // UNREACHABLE and PROHIBIT never match an IPv4 address).
    private static bool HasType(HostModel host, NetDevice? device, Ipv4Address address, ushort types)
    {
        RouteType type;
        if ((address.Value & 0xFF000000) == 0 || address.Value == 0xFFFFFFFF)
        {
            type = RouteType.Broadcast;
        }
        else
        {
            type = host.AddressType(address, device);
            // fib_table_lookup() fails on routes that reject (unreachable, blackhole, prohibit, throw), which leaves
            // the answer at unicast, as does no route at all.
            if (type is RouteType.Unreachable or RouteType.Unspecified or RouteType.Blackhole or RouteType.Prohibit
                or RouteType.Throw)
            {
                type = RouteType.Unicast;
            }
        }

        return (types & (1 << (int)type)) != 0;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" ADDRTYPE match");
        if (SourceTypes != 0)
        {
            output.Append(" src-type ").Append((Flags & Options.InvertSource) != 0 ? "!" : string.Empty);
            AppendTypes(output, SourceTypes);
        }

        if (DestinationTypes != 0)
        {
            output.Append(" dst-type ").Append((Flags & Options.InvertDestination) != 0 ? "!" : string.Empty);
            AppendTypes(output, DestinationTypes);
        }

        if ((Flags & Options.LimitInterfaceIn) != 0)
        {
            output.Append(" limit-in");
        }

        if ((Flags & Options.LimitInterfaceOut) != 0)
        {
            output.Append(" limit-out");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (SourceTypes != 0)
        {
            output.Append((Flags & Options.InvertSource) != 0 ? " !" : string.Empty).Append(" --src-type ");
            AppendTypes(output, SourceTypes);
        }

        if (DestinationTypes != 0)
        {
            output.Append((Flags & Options.InvertDestination) != 0 ? " !" : string.Empty).Append(" --dst-type ");
            AppendTypes(output, DestinationTypes);
        }

        if ((Flags & Options.LimitInterfaceIn) != 0)
        {
            output.Append(" --limit-iface-in");
        }

        if ((Flags & Options.LimitInterfaceOut) != 0)
        {
            output.Append(" --limit-iface-out");
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        string? error = null;
        if ((Flags & Options.LimitInterfaceIn) != 0 && (Flags & Options.LimitInterfaceOut) != 0)
        {
            error = "both incoming and outgoing interface limitation cannot be selected";
        }
        else if ((context.Hooks & (HookMask.PreRouting | HookMask.LocalIn)) != 0 &&
                 (Flags & Options.LimitInterfaceOut) != 0)
        {
            error = "output interface limitation not valid in PREROUTING and INPUT";
        }
        else if ((context.Hooks & (HookMask.PostRouting | HookMask.LocalOut)) != 0 &&
                 (Flags & Options.LimitInterfaceIn) != 0)
        {
            error = "input interface limitation not valid in POSTROUTING and OUTPUT";
        }

        if (error == null)
        {
            return Errno.Ok;
        }

        context.Log.Write("xt_addrtype: " + error);
        return Errno.EINVAL;
    }

    private static void AppendTypes(StringBuilder output, ushort mask)
    {
        string separator = string.Empty;
        for (int i = 0; i < s_typeNames.Length; i++)
        {
            if ((mask & (1 << i)) != 0)
            {
                output.Append(separator).Append(s_typeNames[i]);
                separator = ",";
            }
        }
    }

    private static class Ids
    {
        public const int SourceType = 0;
        public const int DestinationType = 1;
        public const int LimitInterfaceIn = 2;
        public const int LimitInterfaceOut = 3;
    }

    private sealed class AddrtypeExtension : MatchExtension
    {
        public AddrtypeExtension()
            : base("addrtype",
            [
                new XtOption("src-type", Ids.SourceType, XtOptionType.String, XtOptionFlags.Invert),
                new XtOption("dst-type", Ids.DestinationType, XtOptionType.String, XtOptionFlags.Invert),
                new XtOption("limit-iface-in", Ids.LimitInterfaceIn, XtOptionType.None) { Excl = 1u << Ids.LimitInterfaceOut },
                new XtOption("limit-iface-out", Ids.LimitInterfaceOut, XtOptionType.None) { Excl = 1u << Ids.LimitInterfaceIn },
            ])
        {
        }

        public override string Help { get; } = BuildHelp();

        public override MatchParser CreateParser() => new Parser();

        private static string BuildHelp()
        {
            var help = new StringBuilder(
                "Address type match options:\n" +
                " [!] --src-type type[,...]      Match source address type\n" +
                " [!] --dst-type type[,...]      Match destination address type\n" +
                "     --limit-iface-in           Match only on the packet's incoming device\n" +
                "     --limit-iface-out          Match only on the packet's outgoing device\n" +
                "\n" +
                "Valid types:           \n");
            foreach (string name in s_typeNames)
            {
                help.Append("                                ").Append(name).Append('\n');
            }

            return help.ToString();
        }
    }

    private sealed class Parser : MatchParser
    {
        private ushort _source;
        private ushort _destination;
        private Options _flags;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.SourceType:
                    _source = ParseTypes(call.Arg, _source);
                    _flags |= call.Invert ? Options.InvertSource : Options.None;
                    break;
                case Ids.DestinationType:
                    _destination = ParseTypes(call.Arg, _destination);
                    _flags |= call.Invert ? Options.InvertDestination : Options.None;
                    break;
                case Ids.LimitInterfaceIn:
                    _flags |= Options.LimitInterfaceIn;
                    break;
                case Ids.LimitInterfaceOut:
                    _flags |= Options.LimitInterfaceOut;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & ((1u << Ids.SourceType) | (1u << Ids.DestinationType))) == 0)
            {
                throw XtablesException.Parameter("addrtype: you must specify --src-type or --dst-type");
            }
        }

        public override MatchInfo Build() => new AddrtypeMatch(_source, _destination, _flags);

        /// <summary><c>parse_types</c>: comma-separated type names (or prefixes of them).</summary>
        private static ushort ParseTypes(string arg, ushort mask)
        {
            int start = 0;
            int comma;
            while ((comma = arg.IndexOf(',', start)) >= 0)
            {
                if (comma == start || !ParseType(arg.AsSpan(start, comma - start), ref mask))
                {
                    throw XtablesException.Parameter($"addrtype: bad type `{arg[start..]}'");
                }

                start = comma + 1;
            }

            if (start == arg.Length || !ParseType(arg.AsSpan(start), ref mask))
            {
                throw XtablesException.Parameter($"addrtype: bad type \"{arg[start..]}\"");
            }

            return mask;
        }

        private static bool ParseType(ReadOnlySpan<char> name, ref ushort mask)
        {
            for (int i = 0; i < s_typeNames.Length; i++)
            {
                // strncasecmp(name, type, len): the name must be a prefix of the type.
                if (CStrings.StartsWithIgnoreCase(s_typeNames[i].AsSpan(), name))
                {
                    mask |= (ushort)(1 << i);
                    return true;
                }
            }

            return false;
        }
    }
}
