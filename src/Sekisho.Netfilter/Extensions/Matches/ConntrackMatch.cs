using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>conntrack</c> match (and its <c>state</c> alias): connection tracking state, tuple and status.</summary>
/// <remarks>
/// The kernel's <c>struct xt_conntrack_mtinfo3</c> (xt_conntrack, revision 3) and iptables' libxt_conntrack. The
/// <c>state</c> match of iptables 1.8.9 is the same kernel match with <c>XT_CONNTRACK_STATE_ALIAS</c> set: it lists
/// as <c>state NEW</c> and saves as <c>-m state --state NEW</c>. Ports and expiry times are ranges (revision 3),
/// addresses are kept unmasked with their masks, as given.
/// </remarks>
public sealed record ConntrackMatch(
    ConntrackMatch.Endpoint OriginalSource,
    ConntrackMatch.Endpoint OriginalDestination,
    ConntrackMatch.Endpoint ReplySource,
    ConntrackMatch.Endpoint ReplyDestination,
    uint ExpiresMin,
    uint ExpiresMax,
    ushort L4Protocol,
    ConntrackMatch.PortRange OriginalSourcePort,
    ConntrackMatch.PortRange OriginalDestinationPort,
    ConntrackMatch.PortRange ReplySourcePort,
    ConntrackMatch.PortRange ReplyDestinationPort,
    ConntrackMatch.Options MatchFlags,
    ConntrackMatch.Options InvertFlags,
    ConntrackMatch.States StateMask,
    ConntrackMatch.Statuses StatusMask) : MatchInfo
{
    private static readonly XtModule s_module = new("conntrack", 3);

    private static readonly (string Name, States State)[] s_stateNames =
    [
        ("INVALID", States.Invalid), ("NEW", States.New), ("ESTABLISHED", States.Established),
        ("RELATED", States.Related), ("UNTRACKED", States.Untracked), ("SNAT", States.Snat), ("DNAT", States.Dnat),
    ];

    // The order iptables prints states in (not the order it parses them in).
    private static readonly (string Name, States State)[] s_statePrintOrder =
    [
        ("INVALID", States.Invalid), ("NEW", States.New), ("RELATED", States.Related),
        ("ESTABLISHED", States.Established), ("UNTRACKED", States.Untracked), ("SNAT", States.Snat),
        ("DNAT", States.Dnat),
    ];

    private static readonly (string Name, Statuses Status)[] s_statusNames =
    [
        ("NONE", Statuses.None), ("EXPECTED", Statuses.Expected), ("SEEN_REPLY", Statuses.SeenReply),
        ("ASSURED", Statuses.Assured), ("CONFIRMED", Statuses.Confirmed),
    ];

    /// <summary>The iptables side of <c>-m conntrack</c>.</summary>
    public static MatchExtension Extension { get; } = new ConntrackExtension();

    /// <summary>The iptables side of <c>-m state</c>, the alias that builds the same kernel match.</summary>
    public static MatchExtension StateExtension { get; } = new StateAliasExtension();

    /// <summary>The <c>XT_CONNTRACK_*</c> bits of <c>match_flags</c> and <c>invert_flags</c>.</summary>
    [Flags]
    public enum Options : ushort
    {
        /// <summary>Nothing.</summary>
        None = 0,

        /// <summary><c>XT_CONNTRACK_STATE</c>.</summary>
        State = 1 << 0,

        /// <summary><c>XT_CONNTRACK_PROTO</c>.</summary>
        Protocol = 1 << 1,

        /// <summary><c>XT_CONNTRACK_ORIGSRC</c>.</summary>
        OriginalSource = 1 << 2,

        /// <summary><c>XT_CONNTRACK_ORIGDST</c>.</summary>
        OriginalDestination = 1 << 3,

        /// <summary><c>XT_CONNTRACK_REPLSRC</c>.</summary>
        ReplySource = 1 << 4,

        /// <summary><c>XT_CONNTRACK_REPLDST</c>.</summary>
        ReplyDestination = 1 << 5,

        /// <summary><c>XT_CONNTRACK_STATUS</c>.</summary>
        Status = 1 << 6,

        /// <summary><c>XT_CONNTRACK_EXPIRES</c>.</summary>
        Expires = 1 << 7,

        /// <summary><c>XT_CONNTRACK_ORIGSRC_PORT</c>.</summary>
        OriginalSourcePort = 1 << 8,

        /// <summary><c>XT_CONNTRACK_ORIGDST_PORT</c>.</summary>
        OriginalDestinationPort = 1 << 9,

        /// <summary><c>XT_CONNTRACK_REPLSRC_PORT</c>.</summary>
        ReplySourcePort = 1 << 10,

        /// <summary><c>XT_CONNTRACK_REPLDST_PORT</c>.</summary>
        ReplyDestinationPort = 1 << 11,

        /// <summary><c>XT_CONNTRACK_DIRECTION</c>: inverted means the reply direction.</summary>
        Direction = 1 << 12,

        /// <summary><c>XT_CONNTRACK_STATE_ALIAS</c>: the rule was written with <c>-m state</c>.</summary>
        StateAlias = 1 << 13,
    }

    /// <summary>The state bits of <c>state_mask</c>.</summary>
    [Flags]
    public enum States : ushort
    {
        /// <summary>No state.</summary>
        None = 0,

        /// <summary><c>XT_CONNTRACK_STATE_INVALID</c>.</summary>
        Invalid = 1 << 0,

        /// <summary><c>XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED)</c>.</summary>
        Established = 1 << 1,

        /// <summary><c>XT_CONNTRACK_STATE_BIT(IP_CT_RELATED)</c>.</summary>
        Related = 1 << 2,

        /// <summary><c>XT_CONNTRACK_STATE_BIT(IP_CT_NEW)</c>.</summary>
        New = 1 << 3,

        /// <summary><c>XT_CONNTRACK_STATE_SNAT</c>.</summary>
        Snat = 1 << 6,

        /// <summary><c>XT_CONNTRACK_STATE_DNAT</c>.</summary>
        Dnat = 1 << 7,

        /// <summary><c>XT_CONNTRACK_STATE_UNTRACKED</c>.</summary>
        Untracked = 1 << 8,
    }

    /// <summary>The <c>IPS_*</c> status bits of <c>status_mask</c>.</summary>
    [Flags]
    public enum Statuses : ushort
    {
        /// <summary>No status bit.</summary>
        None = 0,

        /// <summary><c>IPS_EXPECTED</c>.</summary>
        Expected = 1 << 0,

        /// <summary><c>IPS_SEEN_REPLY</c>.</summary>
        SeenReply = 1 << 1,

        /// <summary><c>IPS_ASSURED</c>.</summary>
        Assured = 1 << 2,

        /// <summary><c>IPS_CONFIRMED</c>.</summary>
        Confirmed = 1 << 3,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <inheritdoc />
    /// <remarks>
    /// xt_conntrack's <c>conntrack_mt</c> (revision 3): the state bit of the packet's ctinfo (INVALID without a
    /// connection, UNTRACKED when untracked, SNAT and DNAT from the status), then, with a connection, the
    /// direction, the tuple addresses under their masks, protocol and port ranges of the tuples, status bits and
    /// the seconds left; without a connection only a state option can match.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var ct = packet.Conntrack;
        States bit = ct is not null
            ? (States)(1 << ((int)packet.CtInfo % 3 + 1))
            : packet.CtInfo == CtInfo.Untracked ? States.Untracked : States.Invalid;
        if ((MatchFlags & Options.State) != 0)
        {
            if (ct is not null)
            {
                if ((ct.Status & ConnectionStatus.SourceNat) != 0)
                {
                    bit |= States.Snat;
                }

                if ((ct.Status & ConnectionStatus.DestinationNat) != 0)
                {
                    bit |= States.Dnat;
                }
            }

            if (((StateMask & bit) != 0) == Inverted(Options.State))
            {
                return false;
            }
        }

        if (ct is null)
        {
            return (MatchFlags & Options.State) != 0;
        }

        if ((MatchFlags & Options.Direction) != 0
            && (packet.CtInfo is not (CtInfo.EstablishedReply or CtInfo.RelatedReply)) == Inverted(Options.Direction))
        {
            return false;
        }

        var original = ct.Original;
        var reply = ct.Reply;
        if (!AddressMatches(Options.OriginalSource, original.Source, OriginalSource)
            || !AddressMatches(Options.OriginalDestination, original.Destination, OriginalDestination)
            || !AddressMatches(Options.ReplySource, reply.Source, ReplySource)
            || !AddressMatches(Options.ReplyDestination, reply.Destination, ReplyDestination))
        {
            return false;
        }

        if ((MatchFlags & Options.Protocol) != 0 && (ct.Protocol == L4Protocol) == Inverted(Options.Protocol))
        {
            return false;
        }

        if (!PortMatches(Options.OriginalSourcePort, original.SourcePort, OriginalSourcePort)
            || !PortMatches(Options.OriginalDestinationPort, original.DestinationPort, OriginalDestinationPort)
            || !PortMatches(Options.ReplySourcePort, reply.SourcePort, ReplySourcePort)
            || !PortMatches(Options.ReplyDestinationPort, reply.DestinationPort, ReplyDestinationPort))
        {
            return false;
        }

        if ((MatchFlags & Options.Status) != 0
            && (((uint)StatusMask & (uint)ct.Status) != 0) == Inverted(Options.Status))
        {
            return false;
        }

        if ((MatchFlags & Options.Expires) != 0)
        {
            uint expires = ct.ExpiresIn(context.Net.Conntrack.Now32) / NetNamespace.Hz;
            if ((expires >= ExpiresMin && expires <= ExpiresMax) == Inverted(Options.Expires))
            {
                return false;
            }
        }

        return true;
    }

    private bool Inverted(Options option) => (InvertFlags & option) != 0;

    private bool AddressMatches(Options option, Ipv4Address address, Endpoint endpoint) =>
        (MatchFlags & option) == 0
        || (((address.Value & endpoint.Mask.Value) == (endpoint.Address.Value & endpoint.Mask.Value)) != Inverted(option));

    private bool PortMatches(Options option, ushort port, PortRange range) =>
        (MatchFlags & option) == 0 || ((port >= range.Low && port <= range.High) != Inverted(option));

    /// <inheritdoc />
    public override string SaveName => (MatchFlags & Options.StateAlias) != 0 ? "state" : "conntrack";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Dump(output, string.Empty, context.Numeric, context);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Dump(output, "--", true, context);

    private void Dump(StringBuilder output, string prefix, bool numeric, FormatContext context)
    {
        if ((MatchFlags & Options.State) != 0)
        {
            Invert(output, Options.State);
            output.Append(' ').Append(prefix).Append((MatchFlags & Options.StateAlias) != 0 ? "state" : "ctstate");
            char separator = ' ';
            foreach (var (name, state) in s_statePrintOrder)
            {
                if ((StateMask & state) != 0)
                {
                    output.Append(separator).Append(name);
                    separator = ',';
                }
            }
        }

        if ((MatchFlags & Options.Protocol) != 0)
        {
            Invert(output, Options.Protocol);
            output.Append(' ').Append(prefix).Append("ctproto ").Append(L4Protocol.ToString(CultureInfo.InvariantCulture));
        }

        DumpAddress(output, prefix, "ctorigsrc", Options.OriginalSource, OriginalSource, numeric, context);
        DumpAddress(output, prefix, "ctorigdst", Options.OriginalDestination, OriginalDestination, numeric, context);
        DumpAddress(output, prefix, "ctreplsrc", Options.ReplySource, ReplySource, numeric, context);
        DumpAddress(output, prefix, "ctrepldst", Options.ReplyDestination, ReplyDestination, numeric, context);
        DumpPorts(output, prefix, "ctorigsrcport", Options.OriginalSourcePort, OriginalSourcePort);
        DumpPorts(output, prefix, "ctorigdstport", Options.OriginalDestinationPort, OriginalDestinationPort);
        DumpPorts(output, prefix, "ctreplsrcport", Options.ReplySourcePort, ReplySourcePort);
        DumpPorts(output, prefix, "ctrepldstport", Options.ReplyDestinationPort, ReplyDestinationPort);

        if ((MatchFlags & Options.Status) != 0)
        {
            Invert(output, Options.Status);
            output.Append(' ').Append(prefix).Append("ctstatus");
            char separator = ' ';
            foreach (var (name, status) in s_statusNames)
            {
                if (status != Statuses.None && (StatusMask & status) != 0)
                {
                    output.Append(separator).Append(name);
                    separator = ',';
                }
            }

            if (StatusMask == Statuses.None)
            {
                output.Append(separator).Append("NONE");
            }
        }

        if ((MatchFlags & Options.Expires) != 0)
        {
            Invert(output, Options.Expires);
            output.Append(' ').Append(prefix).Append("ctexpire ").Append(ExpiresMin.ToString(CultureInfo.InvariantCulture));
            if (ExpiresMax != ExpiresMin)
            {
                output.Append(':').Append(ExpiresMax.ToString(CultureInfo.InvariantCulture));
            }
        }

        if ((MatchFlags & Options.Direction) != 0)
        {
            output.Append(' ').Append(prefix).Append("ctdir ")
                .Append((InvertFlags & Options.Direction) != 0 ? "REPLY" : "ORIGINAL");
        }
    }

    private void Invert(StringBuilder output, Options option)
    {
        if ((InvertFlags & option) != 0)
        {
            output.Append(" !");
        }
    }

    private void DumpAddress(StringBuilder output, string prefix, string name, Options option, Endpoint endpoint,
        bool numeric, FormatContext context)
    {
        if ((MatchFlags & option) == 0)
        {
            return;
        }

        Invert(output, option);
        output.Append(' ').Append(prefix).Append(name);
        if (!numeric && endpoint.Address == Ipv4Address.Any)
        {
            output.Append(" anywhere");
            return;
        }

        output.Append(' ')
            .Append(numeric ? Xt.IpAddressToNumeric(endpoint.Address) : Xt.IpAddressToAnyName(endpoint.Address, context.Names))
            .Append(Xt.IpMaskToNumeric(endpoint.Mask));
        if (context.Exact && endpoint.Mask == Ipv4Address.Broadcast && !endpoint.MaskPadded)
        {
            // An explicit /32 differs from a bare address in the mask's padding bytes.
            output.Append("/32");
        }
    }

    private void DumpPorts(StringBuilder output, string prefix, string name, Options option, PortRange ports)
    {
        if ((MatchFlags & option) == 0)
        {
            return;
        }

        Invert(output, option);
        output.Append(' ').Append(prefix).Append(name).Append(' ').Append(ports.Low.ToString(CultureInfo.InvariantCulture));
        if (ports.High != 0 && ports.Low != ports.High)
        {
            output.Append(':').Append(ports.High.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>An address of the connection tuple with its mask (<c>union nf_inet_addr</c> pairs).</summary>
    /// <param name="Address">The address as given (not masked).</param>
    /// <param name="Mask">The mask.</param>
    /// <param name="MaskPadded">
    /// Whether the mask's bytes beyond IPv4 are ones (a bare address) rather than zeros (a prefix length).
    /// </param>
    public readonly record struct Endpoint(Ipv4Address Address, Ipv4Address Mask, bool MaskPadded);

    /// <summary>A port range of the connection tuple (<c>port</c> and <c>port_high</c>).</summary>
    /// <param name="Low">The lowest port.</param>
    /// <param name="High">The highest port.</param>
    public readonly record struct PortRange(ushort Low, ushort High);

    private static class Ids
    {
        public const int State = 0;
        public const int Protocol = 1;
        public const int OriginalSource = 2;
        public const int OriginalDestination = 3;
        public const int ReplySource = 4;
        public const int ReplyDestination = 5;
        public const int OriginalSourcePort = 6;
        public const int OriginalDestinationPort = 7;
        public const int ReplySourcePort = 8;
        public const int ReplyDestinationPort = 9;
        public const int Status = 10;
        public const int Expire = 11;
        public const int Direction = 12;
    }

    private sealed class ConntrackExtension : MatchExtension
    {
        private const XtOptionFlags Inv = XtOptionFlags.Invert;

        public ConntrackExtension()
            : base("conntrack",
            [
                new XtOption("ctstate", Ids.State, XtOptionType.String, Inv),
                new XtOption("ctproto", Ids.Protocol, XtOptionType.Protocol, Inv),
                new XtOption("ctorigsrc", Ids.OriginalSource, XtOptionType.HostMask, Inv),
                new XtOption("ctorigdst", Ids.OriginalDestination, XtOptionType.HostMask, Inv),
                new XtOption("ctreplsrc", Ids.ReplySource, XtOptionType.HostMask, Inv),
                new XtOption("ctrepldst", Ids.ReplyDestination, XtOptionType.HostMask, Inv),
                new XtOption("ctstatus", Ids.Status, XtOptionType.String, Inv),
                new XtOption("ctexpire", Ids.Expire, XtOptionType.UInt32Range, Inv),
                new XtOption("ctorigsrcport", Ids.OriginalSourcePort, XtOptionType.PortRange, Inv),
                new XtOption("ctorigdstport", Ids.OriginalDestinationPort, XtOptionType.PortRange, Inv),
                new XtOption("ctreplsrcport", Ids.ReplySourcePort, XtOptionType.PortRange, Inv),
                new XtOption("ctrepldstport", Ids.ReplyDestinationPort, XtOptionType.PortRange, Inv),
                new XtOption("ctdir", Ids.Direction, XtOptionType.String),
            ])
        {
        }

        public override string Help =>
            "conntrack match options:\n" +
            "[!] --ctstate {INVALID|ESTABLISHED|NEW|RELATED|UNTRACKED|SNAT|DNAT}[,...]\n" +
            "                               State(s) to match\n" +
            "[!] --ctproto proto            Protocol to match; by number or name, e.g. \"tcp\"\n" +
            "[!] --ctorigsrc address[/mask]\n" +
            "[!] --ctorigdst address[/mask]\n" +
            "[!] --ctreplsrc address[/mask]\n" +
            "[!] --ctrepldst address[/mask]\n" +
            "                               Original/Reply source/destination address\n" +
            "[!] --ctorigsrcport port\n" +
            "[!] --ctorigdstport port\n" +
            "[!] --ctreplsrcport port\n" +
            "[!] --ctrepldstport port\n" +
            "                               TCP/UDP/SCTP orig./reply source/destination port\n" +
            "[!] --ctstatus {NONE|EXPECTED|SEEN_REPLY|ASSURED|CONFIRMED}[,...]\n" +
            "                               Status(es) to match\n" +
            "[!] --ctexpire time[:time]     Match remaining lifetime in seconds against\n" +
            "                               value or range of values (inclusive)\n" +
            "    --ctdir {ORIGINAL|REPLY}   Flow direction of packet\n";

        public override MatchParser CreateParser() => new ConntrackParser();
    }

    private sealed class StateAliasExtension : MatchExtension
    {
        public StateAliasExtension()
            : base("state",
            [
                new XtOption("state", Ids.State, XtOptionType.String, XtOptionFlags.Mandatory | XtOptionFlags.Invert),
            ])
        {
        }

        public override string Help =>
            "state match options:\n" +
            " [!] --state [INVALID|ESTABLISHED|NEW|RELATED|UNTRACKED][,...]\n" +
            "\t\t\t\tState(s) to match\n";

        public override MatchParser CreateParser() => new StateParser();
    }

    /// <summary>The parsing state shared by both front ends: the kernel structure being filled in.</summary>
    private abstract class InfoParser : MatchParser
    {
        protected Endpoint OriginalSource { get; set; }

        protected Endpoint OriginalDestination { get; set; }

        protected Endpoint ReplySource { get; set; }

        protected Endpoint ReplyDestination { get; set; }

        protected uint ExpiresMin { get; set; }

        protected uint ExpiresMax { get; set; }

        protected ushort L4Protocol { get; set; }

        protected PortRange OriginalSourcePort { get; set; }

        protected PortRange OriginalDestinationPort { get; set; }

        protected PortRange ReplySourcePort { get; set; }

        protected PortRange ReplyDestinationPort { get; set; }

        protected Options MatchFlags { get; set; }

        protected Options InvertFlags { get; set; }

        protected States StateMask { get; set; }

        protected Statuses StatusMask { get; set; }

        public override MatchInfo Build() => new ConntrackMatch(
            OriginalSource, OriginalDestination, ReplySource, ReplyDestination, ExpiresMin, ExpiresMax, L4Protocol,
            OriginalSourcePort, OriginalDestinationPort, ReplySourcePort, ReplyDestinationPort, MatchFlags,
            InvertFlags, StateMask, StatusMask);

        protected void Set(Options option, bool invert)
        {
            MatchFlags |= option;
            if (invert)
            {
                InvertFlags |= option;
            }
        }
    }

    private sealed class ConntrackParser : InfoParser
    {
        public override void Parse(OptionCall call)
        {
            var value = call.Value;
            switch (call.Entry.Id)
            {
                case Ids.State:
                    StateMask |= (States)ParseList(call.Arg, s_stateNames, "ctstate");
                    Set(Options.State, call.Invert);
                    break;

                case Ids.Protocol:
                    // iptables 1.8.11 refuses protocol 0 either way; 1.8.9's check never fired.
                    if (value.Protocol == 0)
                    {
                        throw XtablesException.Parameter(call.Invert
                            ? "conntrack: condition would always match protocol"
                            : "conntrack: rule would never match protocol");
                    }

                    L4Protocol = value.Protocol;
                    Set(Options.Protocol, call.Invert);
                    break;

                case Ids.OriginalSource:
                    OriginalSource = Address(value);
                    Set(Options.OriginalSource, call.Invert);
                    break;

                case Ids.OriginalDestination:
                    OriginalDestination = Address(value);
                    Set(Options.OriginalDestination, call.Invert);
                    break;

                case Ids.ReplySource:
                    ReplySource = Address(value);
                    Set(Options.ReplySource, call.Invert);
                    break;

                case Ids.ReplyDestination:
                    ReplyDestination = Address(value);
                    Set(Options.ReplyDestination, call.Invert);
                    break;

                case Ids.Status:
                    StatusMask |= (Statuses)ParseList(call.Arg, s_statusNames, "ctstatus");
                    Set(Options.Status, call.Invert);
                    break;

                case Ids.Expire:
                    ExpiresMin = (uint)value.Range[0];
                    ExpiresMax = value.Count >= 2 ? (uint)value.Range[1] : ExpiresMin;
                    Set(Options.Expires, call.Invert);
                    break;

                case Ids.OriginalSourcePort:
                    OriginalSourcePort = Ports(value);
                    Set(Options.OriginalSourcePort, call.Invert);
                    break;

                case Ids.OriginalDestinationPort:
                    OriginalDestinationPort = Ports(value);
                    Set(Options.OriginalDestinationPort, call.Invert);
                    break;

                case Ids.ReplySourcePort:
                    ReplySourcePort = Ports(value);
                    Set(Options.ReplySourcePort, call.Invert);
                    break;

                case Ids.ReplyDestinationPort:
                    ReplyDestinationPort = Ports(value);
                    Set(Options.ReplyDestinationPort, call.Invert);
                    break;

                case Ids.Direction:
                    if (CStrings.EqualsIgnoreCase(call.Arg, "ORIGINAL"))
                    {
                        MatchFlags |= Options.Direction;
                        InvertFlags &= ~Options.Direction;
                    }
                    else if (CStrings.EqualsIgnoreCase(call.Arg, "REPLY"))
                    {
                        MatchFlags |= Options.Direction;
                        InvertFlags |= Options.Direction;
                    }
                    else
                    {
                        throw Xt.BadValue("conntrack", "--ctdir", call.Arg);
                    }

                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("conntrack: At least one option is required");
            }
        }

        private static Endpoint Address(OptionValue value) => new(value.HostAddress, value.HostMask, value.HostMaskPadded);

        private static PortRange Ports(OptionValue value) =>
            new((ushort)value.Range[0], (ushort)value.Range[value.Count >= 2 ? 1 : 0]);

        /// <summary>
        /// A comma-separated list of names, each a case-insensitive prefix of one (the first that fits wins);
        /// the error quotes the rest of the list from the offending item on.
        /// </summary>
        private static ushort ParseList<TFlag>(string arg, (string Name, TFlag Flag)[] names, string what)
            where TFlag : struct, Enum
        {
            ushort mask = 0;
            int start = 0;
            while (true)
            {
                int comma = arg.IndexOf(',', start);
                string item = comma < 0 ? arg[start..] : arg[start..comma];
                if (item.Length == 0 || !TryLookup(item, names, out ushort flag))
                {
                    throw XtablesException.Parameter($"Bad {what} \"{arg[start..]}\"");
                }

                mask |= flag;
                if (comma < 0)
                {
                    return mask;
                }

                start = comma + 1;
            }
        }
    }

    private sealed class StateParser : InfoParser
    {
        private static readonly (string Name, States State)[] s_aliasStates =
        [
            ("INVALID", States.Invalid), ("NEW", States.New), ("ESTABLISHED", States.Established),
            ("RELATED", States.Related), ("UNTRACKED", States.Untracked),
        ];

        public override void Parse(OptionCall call)
        {
            MatchFlags = Options.State | Options.StateAlias;
            StateMask = ParseStates(call.Arg);
            if (call.Invert)
            {
                InvertFlags |= Options.State;
            }
        }

        private static States ParseStates(string arg)
        {
            ushort mask = 0;
            int start = 0;
            int comma;
            while ((comma = arg.IndexOf(',', start)) >= 0)
            {
                if (comma == start || !TryLookup(arg[start..comma], s_aliasStates, out ushort flag))
                {
                    throw XtablesException.Parameter($"Bad state \"{arg[start..]}\"");
                }

                mask |= flag;
                start = comma + 1;
            }

            if (start == arg.Length)
            {
                throw XtablesException.Parameter(
                    "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED");
            }

            if (!TryLookup(arg[start..], s_aliasStates, out ushort last))
            {
                throw XtablesException.Parameter($"Bad state \"{arg[start..]}\"");
            }

            return (States)(mask | last);
        }
    }

    /// <summary>libxt_conntrack's <c>strncasecmp(item, name, strlen(item))</c> lookup: an item names the first entry it is a prefix of.</summary>
    private static bool TryLookup<TFlag>(string item, (string Name, TFlag Flag)[] names, out ushort flag)
        where TFlag : struct, Enum
    {
        foreach (var (name, value) in names)
        {
            if (item.Length <= name.Length && CStrings.StartsWithIgnoreCase(name, item))
            {
                flag = Convert.ToUInt16(value, CultureInfo.InvariantCulture);
                return true;
            }
        }

        flag = 0;
        return false;
    }
}
