using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>
/// The <c>CT</c> target: attaches a conntrack template (helper, timeout policy, events, zone) to new
/// connections, or marks packets as untracked. Also the <c>NOTRACK</c> target, which iptables 1.8.9 maps onto it.
/// </summary>
/// <remarks>
/// The kernel's <c>struct xt_ct_target_info_v1</c> (xt_CT, revision 2, raw table only) and iptables' libxt_CT.
/// <c>-j NOTRACK</c> becomes a CT target with <see cref="CtFlags.Notrack"/> and
/// <see cref="CtFlags.NotrackAlias"/>: listed as target CT with " NOTRACK", saved as <c>-j NOTRACK</c>. The
/// helper name keeps at most 15 bytes, the timeout policy name 31. The kernel looks the helper up by name and
/// layer-4 protocol among those built into this kernel, and finds no timeout policy (none can be defined here).
/// </remarks>
public sealed record CtTarget(
    CtTarget.CtFlags Flags,
    ushort Zone,
    uint ConntrackEvents,
    uint ExpectationEvents,
    string Helper,
    string Timeout) : TargetInfo
{
    /// <summary>Room for the helper name, including the terminating NUL.</summary>
    public const int HelperSize = 16;

    /// <summary>Room for the timeout policy name, including the terminating NUL.</summary>
    public const int TimeoutSize = 32;

    private static readonly XtModule s_module = new("CT", 2) { Table = "raw" };

    // libxt_CT's ct_event_tbl[]: the IPCT_* bit of each name, in the order iptables prints them.
    private static readonly (string Name, int Bit)[] s_conntrackEvents =
    [
        ("new", 0), ("related", 1), ("destroy", 2), ("reply", 3), ("assured", 4), ("protoinfo", 5), ("helper", 6),
        ("mark", 7), ("natseqinfo", 8), ("secmark", 9),
    ];

    // exp_event_tbl[]: IPEXP_NEW.
    private static readonly (string Name, int Bit)[] s_expectationEvents = [("new", 0)];

    // The conntrack helpers this kernel has built in, with the layer-4 protocol each is registered for
    // (found by trying every protocol number on the kernel).
    private static readonly (string Name, byte Protocol)[] s_helpers =
    [
        ("amanda", 17), ("ftp", 6), ("H.245", 17), ("irc", 6), ("netbios-ns", 17), ("pptp", 6), ("Q.931", 6),
        ("RAS", 17), ("sane", 6), ("sip", 6), ("sip", 17), ("snmp", 17), ("snmp_trap", 17), ("tftp", 17),
    ];

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new CtExtension();

    /// <summary>The iptables side of <c>-j NOTRACK</c>.</summary>
    public static TargetExtension NotrackExtension { get; } = new NotrackAliasExtension();

    /// <summary>The <c>XT_CT_*</c> flags.</summary>
    [Flags]
    public enum CtFlags : ushort
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>XT_CT_NOTRACK</c>: the packet is not tracked.</summary>
        Notrack = 1 << 0,

        /// <summary><c>XT_CT_NOTRACK_ALIAS</c>: the rule was given as <c>-j NOTRACK</c>.</summary>
        NotrackAlias = 1 << 1,

        /// <summary><c>XT_CT_ZONE_DIR_ORIG</c>: the zone applies to the original direction.</summary>
        ZoneOriginal = 1 << 2,

        /// <summary><c>XT_CT_ZONE_DIR_REPL</c>: the zone applies to the reply direction.</summary>
        ZoneReply = 1 << 3,

        /// <summary><c>XT_CT_ZONE_MARK</c>: the zone is taken from the packet mark.</summary>
        ZoneMark = 1 << 4,

        /// <summary><c>XT_CT_MASK</c>.</summary>
        Mask = 0x1F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_CT's checkentry takes a conntrack reference except for <c>--notrack</c>.</remarks>
    public override bool UsesConntrack => (Flags & CtFlags.Notrack) == 0;

    /// <inheritdoc />
    /// <remarks>The template (<c>nf_ct_tmpl_alloc</c>): its zone, the zone's directions and the mark flag.</remarks>
    public override object? CreateState(NetNamespace net)
    {
        if ((Flags & CtFlags.Notrack) != 0)
        {
            return null;
        }

        var template = new Connection
        {
            Status = ConnectionStatus.Template | ConnectionStatus.Confirmed,
            Zone = Zone,
        };
        template.ZoneDirections = (Flags & (CtFlags.ZoneOriginal | CtFlags.ZoneReply)) switch
        {
            CtFlags.ZoneOriginal => Connection.ZoneOriginalBit,
            CtFlags.ZoneReply => Connection.ZoneReplyBit,
            _ => Connection.ZoneBoth,
        };
        template.ZoneFromMark = (Flags & CtFlags.ZoneMark) != 0;
        return template;
    }

    /// <inheritdoc />
    /// <remarks>
    /// xt_CT's <c>xt_ct_target</c>: a packet already attached (looped back) is left alone; otherwise it gets the
    /// template (conntrack then tracks it in the template's zone) or, with <c>--notrack</c>, becomes UNTRACKED.
    /// </remarks>
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        if (packet.Conntrack is not null || packet.CtInfo == CtInfo.Untracked)
        {
            return NfVerdict.Continue;
        }

        if (state is Connection template)
        {
            packet.Conntrack = template;
            packet.CtInfo = CtInfo.New;
        }
        else
        {
            packet.CtInfo = CtInfo.Untracked;
        }

        return NfVerdict.Continue;
    }

    /// <inheritdoc />
    public override string Name => "CT";

    /// <inheritdoc />
    public override string SaveName => (Flags & CtFlags.NotrackAlias) != 0 ? "NOTRACK" : "CT";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Flags & CtFlags.NotrackAlias) != 0)
        {
            output.Append(" NOTRACK");
            return;
        }

        output.Append(" CT");
        Append(output, string.Empty);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Flags & CtFlags.NotrackAlias) == 0)
        {
            Append(output, "--");
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((Flags & ~CtFlags.Mask) != 0)
        {
            return Errno.EINVAL;
        }

        if ((Flags & CtFlags.Notrack) != 0)
        {
            return Errno.Ok;
        }

        byte protocol = (context.Ip.InvFlags & IpInvFlags.Protocol) != 0 ? (byte)0 : context.Ip.Protocol;
        if (Helper.Length != 0)
        {
            if (protocol == 0)
            {
                context.Log.Write("xt_CT: You must specify a L4 protocol and not use inversions on it");
                return Errno.ENOENT;
            }

            if (!HelperExists(Helper, protocol))
            {
                context.Log.Write($"xt_CT: No such helper \"{Helper}\"");
                return Errno.ENOENT;
            }
        }

        if (Timeout.Length != 0)
        {
            if (protocol == 0)
            {
                context.Log.Write("xt_CT: You must specify a L4 protocol and not use inversions on it");
                return Errno.EINVAL;
            }

            context.Log.Write($"No such timeout policy \"{Timeout}\"");
            return Errno.ENOENT;
        }

        return Errno.Ok;
    }

    private static bool HelperExists(string name, byte protocol)
    {
        foreach (var (helper, helperProtocol) in s_helpers)
        {
            if (helper == name && helperProtocol == protocol)
            {
                return true;
            }
        }

        return false;
    }

    private static void AppendEvents(StringBuilder output, string name, (string Name, int Bit)[] table, uint mask)
    {
        output.Append(' ').Append(name).Append(' ');
        string separator = string.Empty;
        foreach (var (eventName, bit) in table)
        {
            if ((mask & (1u << bit)) != 0)
            {
                output.Append(separator).Append(eventName);
                separator = ",";
            }
        }
    }

    private static uint ParseEvents((string Name, int Bit)[] table, string events)
    {
        uint mask = 0;
        foreach (string item in events.Split(','))
        {
            int bit = -1;
            foreach (var (name, eventBit) in table)
            {
                if (name == item)
                {
                    bit = eventBit;
                    break;
                }
            }

            if (bit < 0)
            {
                throw XtablesException.Parameter($"Unknown event type \"{item}\"");
            }

            mask |= 1u << bit;
        }

        return mask;
    }

    private void Append(StringBuilder output, string dashes)
    {
        if ((Flags & CtFlags.Notrack) != 0)
        {
            output.Append(' ').Append(dashes).Append("notrack");
        }

        if (Helper.Length != 0)
        {
            output.Append(' ').Append(dashes).Append("helper ").Append(Helper);
        }

        if (Timeout.Length != 0)
        {
            output.Append(' ').Append(dashes).Append("timeout ").Append(Timeout);
        }

        if (ConntrackEvents != 0)
        {
            AppendEvents(output, dashes + "ctevents", s_conntrackEvents, ConntrackEvents);
        }

        if (ExpectationEvents != 0)
        {
            AppendEvents(output, dashes + "expevents", s_expectationEvents, ExpectationEvents);
        }

        if ((Flags & CtFlags.ZoneMark) != 0 || Zone != 0)
        {
            output.Append(' ').Append(dashes).Append("zone");
            var direction = Flags & (CtFlags.ZoneOriginal | CtFlags.ZoneReply);
            if (direction == CtFlags.ZoneOriginal)
            {
                output.Append("-orig");
            }
            else if (direction == CtFlags.ZoneReply)
            {
                output.Append("-reply");
            }

            output.Append(' ');
            if ((Flags & CtFlags.ZoneMark) != 0)
            {
                output.Append("mark");
            }
            else
            {
                output.Append(Zone.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private static class Ids
    {
        public const int Notrack = 0;
        public const int Helper = 1;
        public const int Timeout = 2;
        public const int CtEvents = 3;
        public const int ExpEvents = 4;
        public const int Zone = 5;
        public const int ZoneOrig = 6;
        public const int ZoneReply = 7;
    }

    private sealed class CtExtension : TargetExtension
    {
        public CtExtension()
            : base("CT",
            [
                new XtOption("notrack", Ids.Notrack, XtOptionType.None),
                new XtOption("helper", Ids.Helper, XtOptionType.String, XtOptionFlags.Put) { Size = HelperSize },
                new XtOption("timeout", Ids.Timeout, XtOptionType.String, XtOptionFlags.Put) { Size = TimeoutSize },
                new XtOption("ctevents", Ids.CtEvents, XtOptionType.String),
                new XtOption("expevents", Ids.ExpEvents, XtOptionType.String),
                new XtOption("zone-orig", Ids.ZoneOrig, XtOptionType.String),
                new XtOption("zone-reply", Ids.ZoneReply, XtOptionType.String),
                new XtOption("zone", Ids.Zone, XtOptionType.String),
            ])
        {
        }

        public override string Help =>
            "CT target options:\n" +
            " --notrack\t\t\tDon't track connection\n" +
            " --helper name\t\t\tUse conntrack helper 'name' for connection\n" +
            " --timeout name \t\tUse timeout policy 'name' for connection\n" +
            " --ctevents event[,event...]\tGenerate specified conntrack events for connection\n" +
            " --expevents event[,event...]\tGenerate specified expectation events for connection\n" +
            " --zone {ID|mark}\t\tAssign/Lookup connection in zone ID/packet nfmark\n" +
            " --zone-orig {ID|mark}\t\tSame as 'zone' option, but only applies to ORIGINAL direction\n" +
            " --zone-reply {ID|mark} \tSame as 'zone' option, but only applies to REPLY direction\n";

        public override TargetParser CreateParser() => new Parser(CtFlags.None);
    }

    private sealed class NotrackAliasExtension : TargetExtension
    {
        public NotrackAliasExtension()
            : base("NOTRACK", [])
        {
        }

        public override TargetParser CreateParser() => new Parser(CtFlags.Notrack | CtFlags.NotrackAlias);
    }

    private sealed class Parser : TargetParser
    {
        private CtFlags _flags;
        private ushort _zone;
        private uint _conntrackEvents;
        private uint _expectationEvents;
        private string _helper = string.Empty;
        private string _timeout = string.Empty;

        public Parser(CtFlags flags)
        {
            _flags = flags;
        }

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.Notrack:
                    _flags |= CtFlags.Notrack;
                    break;
                case Ids.Helper:
                    _helper = Xt.FitString(call.Arg, HelperSize);
                    break;
                case Ids.Timeout:
                    _timeout = Xt.FitString(call.Arg, TimeoutSize);
                    break;
                case Ids.CtEvents:
                    _conntrackEvents = ParseEvents(s_conntrackEvents, call.Arg);
                    break;
                case Ids.ExpEvents:
                    _expectationEvents = ParseEvents(s_expectationEvents, call.Arg);
                    break;
                case Ids.Zone:
                case Ids.ZoneOrig:
                case Ids.ZoneReply:
                    ParseZone(call.Arg, call.Entry.Id);
                    break;
            }
        }

        public override TargetInfo Build() =>
            new CtTarget(_flags, _zone, _conntrackEvents, _expectationEvents, _helper, _timeout);

        private void ParseZone(string text, int id)
        {
            if (id == Ids.ZoneOrig)
            {
                _flags |= CtFlags.ZoneOriginal;
            }
            else if (id == Ids.ZoneReply)
            {
                _flags |= CtFlags.ZoneReply;
            }

            _zone = 0;
            if (CStrings.EqualsIgnoreCase(text, "mark"))
            {
                _flags |= CtFlags.ZoneMark;
                return;
            }

            if (!CNumbers.TryStrToUL(text, out ulong zone, 0, ushort.MaxValue))
            {
                throw XtablesException.Parameter($"Cannot parse {text} as a zone ID");
            }

            _zone = (ushort)zone;
        }
    }
}
