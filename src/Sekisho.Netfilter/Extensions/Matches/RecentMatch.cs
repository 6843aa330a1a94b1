using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>recent</c> match: a named list of recently seen addresses, set, checked, updated or removed.</summary>
/// <remarks>
/// The kernel's <c>struct xt_recent_mtinfo_v1</c> (xt_recent, revision 1). The list name holds at most 199 bytes
/// (iptables cuts longer ones); the kernel refuses an empty name, "." and "..", names with '/', hit counts of 65536
/// and more, and <c>--seconds</c>, <c>--hitcount</c>, <c>--rttl</c> or <c>--reap</c> with <c>--set</c> or
/// <c>--remove</c>. The mask is a <c>union nf_inet_addr</c>: all ones unless <c>--mask</c> gave one.
/// </remarks>
public sealed record RecentMatch(
    uint Seconds,
    uint HitCount,
    RecentMatch.Options CheckSet,
    bool Invert,
    string ListName,
    RecentMatch.Sides Side,
    Ipv4Address Mask,
    bool MaskPadded) : MatchInfo
{
    /// <summary><c>XT_RECENT_NAME_LEN</c>: room for the name, including the terminating NUL.</summary>
    public const int NameSize = 200;

    /// <summary><c>XT_RECENT_MAX_NSTAMPS</c>: hit counts must stay below it.</summary>
    public const uint MaxStamps = 65536;

    private static readonly XtModule s_module = new("recent", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new RecentExtension();

    /// <summary>The <c>XT_RECENT_*</c> bits of <c>check_set</c>.</summary>
    [Flags]
    public enum Options : byte
    {
        /// <summary>Nothing.</summary>
        None = 0,

        /// <summary><c>XT_RECENT_CHECK</c>: <c>--rcheck</c>.</summary>
        Check = 1 << 0,

        /// <summary><c>XT_RECENT_SET</c>: <c>--set</c>.</summary>
        Set = 1 << 1,

        /// <summary><c>XT_RECENT_UPDATE</c>: <c>--update</c>.</summary>
        Update = 1 << 2,

        /// <summary><c>XT_RECENT_REMOVE</c>: <c>--remove</c>.</summary>
        Remove = 1 << 3,

        /// <summary><c>XT_RECENT_TTL</c>: <c>--rttl</c>.</summary>
        Ttl = 1 << 4,

        /// <summary><c>XT_RECENT_REAP</c>: <c>--reap</c>.</summary>
        Reap = 1 << 5,

        /// <summary><c>XT_RECENT_VALID_FLAGS</c>.</summary>
        Valid = 0x3F,
    }

    /// <summary>Which address of the packet the list holds.</summary>
    public enum Sides : byte
    {
        /// <summary><c>XT_RECENT_SOURCE</c>.</summary>
        Source = 0,

        /// <summary><c>XT_RECENT_DEST</c>.</summary>
        Destination = 1,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert)
        {
            output.Append(" !");
        }

        output.Append(" recent:");
        Flag(output, Options.Set, " SET");
        Flag(output, Options.Check, " CHECK");
        Flag(output, Options.Update, " UPDATE");
        Flag(output, Options.Remove, " REMOVE");
        if (Seconds != 0)
        {
            // printf("%d"): values above INT_MAX come out negative.
            output.Append(" seconds: ").Append(unchecked((int)Seconds).ToString(CultureInfo.InvariantCulture));
        }

        Flag(output, Options.Reap, " reap");
        if (HitCount != 0)
        {
            output.Append(" hit_count: ").Append(unchecked((int)HitCount).ToString(CultureInfo.InvariantCulture));
        }

        Flag(output, Options.Ttl, " TTL-Match");
        output.Append(" name: ").Append(ListName);
        output.Append(Side == Sides.Source ? " side: source" : Side == Sides.Destination ? " side: dest" : string.Empty);
        output.Append(" mask: ").Append(Xt.IpAddressToNumeric(Mask));
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert)
        {
            output.Append(" !");
        }

        Flag(output, Options.Set, " --set");
        Flag(output, Options.Check, " --rcheck");
        Flag(output, Options.Update, " --update");
        Flag(output, Options.Remove, " --remove");
        // iptables prints with %d; the state file needs the value back.
        if (Seconds != 0)
        {
            output.Append(" --seconds ").Append(context.Exact
                ? Seconds.ToString(CultureInfo.InvariantCulture)
                : unchecked((int)Seconds).ToString(CultureInfo.InvariantCulture));
        }

        Flag(output, Options.Reap, " --reap");
        if (HitCount != 0)
        {
            output.Append(" --hitcount ").Append(context.Exact
                ? HitCount.ToString(CultureInfo.InvariantCulture)
                : unchecked((int)HitCount).ToString(CultureInfo.InvariantCulture));
        }

        Flag(output, Options.Ttl, " --rttl");
        if (context.Exact)
        {
            output.Append(" --name");
            Xt.SaveString(output, ListName);

            // The default mask's padding bytes are ones; those of an explicit --mask are zeros.
            if (!(Mask == Ipv4Address.Broadcast && MaskPadded))
            {
                output.Append(" --mask ").Append(Xt.IpAddressToNumeric(Mask));
            }
        }
        else
        {
            output.Append(" --name ").Append(ListName);
            output.Append(" --mask ").Append(Xt.IpAddressToNumeric(Mask));
        }

        output.Append(Side == Sides.Source ? " --rsource" : Side == Sides.Destination ? " --rdest" : string.Empty);
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((CheckSet & ~Options.Valid) != 0)
        {
            context.Log.Write($"xt_recent: Unsupported userspace flags ({(byte)CheckSet:x8})");
            return Errno.EINVAL;
        }

        const Options actions = Options.Set | Options.Remove | Options.Check | Options.Update;
        if (System.Numerics.BitOperations.PopCount((uint)(CheckSet & actions)) != 1)
        {
            return Errno.EINVAL;
        }

        if ((CheckSet & (Options.Set | Options.Remove)) != 0 &&
            (Seconds != 0 || HitCount != 0 || (CheckSet & (Options.Ttl | Options.Reap)) != 0))
        {
            return Errno.EINVAL;
        }

        if ((CheckSet & Options.Reap) != 0 && Seconds == 0)
        {
            return Errno.EINVAL;
        }

        if (HitCount >= MaxStamps)
        {
            context.Log.Write($"xt_recent: hitcount ({HitCount}) is larger than allowed maximum ({MaxStamps - 1})");
            return Errno.EINVAL;
        }

        // xt_check_proc_name(): the name becomes a file in /proc/net/xt_recent.
        if (ListName.Length == 0 || ListName == "." || ListName == ".." || ListName.Contains('/'))
        {
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    private void Flag(StringBuilder output, Options option, string text)
    {
        if ((CheckSet & option) != 0)
        {
            output.Append(text);
        }
    }

    private static class Ids
    {
        public const int Set = 0;
        public const int Check = 1;
        public const int Update = 2;
        public const int Remove = 3;
        public const int Seconds = 4;
        public const int Reap = 5;
        public const int HitCount = 6;
        public const int Ttl = 7;
        public const int Name = 8;
        public const int Source = 9;
        public const int Destination = 10;
        public const int Mask = 11;
    }

    private sealed class RecentExtension : MatchExtension
    {
        private const uint AnyAction = (1u << Ids.Set) | (1u << Ids.Check) | (1u << Ids.Update) | (1u << Ids.Remove);

        public RecentExtension()
            : base("recent",
            [
                new XtOption("set", Ids.Set, XtOptionType.None, XtOptionFlags.Invert) { Excl = AnyAction },
                new XtOption("rcheck", Ids.Check, XtOptionType.None, XtOptionFlags.Invert) { Excl = AnyAction },
                new XtOption("update", Ids.Update, XtOptionType.None, XtOptionFlags.Invert) { Excl = AnyAction },
                new XtOption("remove", Ids.Remove, XtOptionType.None, XtOptionFlags.Invert) { Excl = AnyAction },
                new XtOption("seconds", Ids.Seconds, XtOptionType.UInt32, XtOptionFlags.Put) { Min = 1 },
                new XtOption("reap", Ids.Reap, XtOptionType.None) { Also = 1u << Ids.Seconds },
                new XtOption("hitcount", Ids.HitCount, XtOptionType.UInt32, XtOptionFlags.Put),
                new XtOption("rttl", Ids.Ttl, XtOptionType.None) { Excl = (1u << Ids.Set) | (1u << Ids.Remove) },
                new XtOption("name", Ids.Name, XtOptionType.String, XtOptionFlags.Put) { Size = NameSize },
                new XtOption("rsource", Ids.Source, XtOptionType.None),
                new XtOption("rdest", Ids.Destination, XtOptionType.None),
                new XtOption("mask", Ids.Mask, XtOptionType.Host, XtOptionFlags.Put),
            ])
        {
        }

        public override string Help =>
            "recent match options:\n" +
            "[!] --set                       Add source address to list, always matches.\n" +
            "[!] --rcheck                    Match if source address in list.\n" +
            "[!] --update                    Match if source address in list, also update last-seen time.\n" +
            "[!] --remove                    Match if source address in list, also removes that address from list.\n" +
            "    --seconds seconds           For check and update commands above.\n" +
            "                                Specifies that the match will only occur if source address last seen within\n" +
            "                                the last 'seconds' seconds.\n" +
            "    --reap                      Purge entries older then 'seconds'.\n" +
            "                                Can only be used in conjunction with the seconds option.\n" +
            "    --hitcount hits             For check and update commands above.\n" +
            "                                Specifies that the match will only occur if source address seen hits times.\n" +
            "                                May be used in conjunction with the seconds option.\n" +
            "    --rttl                      For check and update commands above.\n" +
            "                                Specifies that the match will only occur if the source address and the TTL\n" +
            "                                match between this packet and the one which was set.\n" +
            "                                Useful if you have problems with people spoofing their source address in order\n" +
            "                                to DoS you via this module.\n" +
            "    --name name                 Name of the recent list to be used.  DEFAULT used if none given.\n" +
            "    --rsource                   Match/Save the source address of each packet in the recent list table (default).\n" +
            "    --rdest                     Match/Save the destination address of each packet in the recent list table.\n" +
            "    --mask netmask              Netmask that will be applied to this recent list.\n" +
            "xt_recent by: Stephen Frost <sfrost@snowman.net>.\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private uint _seconds;
        private uint _hitCount;
        private Options _checkSet;
        private bool _invert;
        private string _name = "DEFAULT";
        private Sides _side = Sides.Source;
        private Ipv4Address _mask = Ipv4Address.Broadcast;
        private bool _maskPadded = true;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.Set:
                    Action(Options.Set, call.Invert);
                    break;
                case Ids.Check:
                    Action(Options.Check, call.Invert);
                    break;
                case Ids.Update:
                    Action(Options.Update, call.Invert);
                    break;
                case Ids.Remove:
                    Action(Options.Remove, call.Invert);
                    break;
                case Ids.Seconds:
                    _seconds = (uint)call.Value.Number;
                    break;
                case Ids.Reap:
                    _checkSet |= Options.Reap;
                    break;
                case Ids.HitCount:
                    _hitCount = (uint)call.Value.Number;
                    break;
                case Ids.Ttl:
                    _checkSet |= Options.Ttl;
                    break;
                case Ids.Name:
                    _name = Xt.FitString(call.Arg, NameSize);
                    break;
                case Ids.Source:
                    _side = Sides.Source;
                    break;
                case Ids.Destination:
                    _side = Sides.Destination;
                    break;
                case Ids.Mask:
                    // XTTYPE_HOST puts the address, whose padding bytes are zeros.
                    _mask = call.Value.HostAddress;
                    _maskPadded = false;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            const uint anyAction = (1u << Ids.Set) | (1u << Ids.Check) | (1u << Ids.Update) | (1u << Ids.Remove);
            if ((Flags & anyAction) == 0)
            {
                throw XtablesException.Parameter(
                    "recent: you must specify one of `--set', `--rcheck' `--update' or `--remove'");
            }
        }

        public override MatchInfo Build() =>
            new RecentMatch(_seconds, _hitCount, _checkSet, _invert, _name, _side, _mask, _maskPadded);

        private void Action(Options action, bool invert)
        {
            _checkSet |= action;
            if (invert)
            {
                _invert = true;
            }
        }
    }
}
