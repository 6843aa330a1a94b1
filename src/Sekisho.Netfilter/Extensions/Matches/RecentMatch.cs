using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
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

    /// <summary>The module parameter <c>ip_list_tot</c>: the entries of a list.</summary>
    public const int ListSize = 200;

    /// <summary>The module parameter <c>ip_pkt_list_tot</c>: the time stamps of an entry.</summary>
    public const int StampsPerEntry = 20;

    /// <inheritdoc />
    /// <remarks>
    /// xt_recent's <c>recent_mt()</c>: the (masked) source or destination address is looked up in the named list,
    /// with the TTL when <c>--rttl</c> asks (the TTL before forwarding: one more on output hooks for packets without
    /// a local socket). <c>--set</c> adds or refreshes the entry and matches; <c>--remove</c> removes it and
    /// matches; <c>--rcheck</c>/<c>--update</c> match when enough of its time stamps lie within
    /// <c>--seconds</c>, <c>--update</c> stamping it when the (possibly inverted) result is a match, and
    /// <c>--reap</c> dropping the least recently used entry of the list if all its stamps are too old.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (state is not RecentList list)
        {
            return false;
        }

        var data = context.Data;
        uint address = BinaryPrimitives.ReadUInt32BigEndian(Side == Sides.Destination ? data[16..] : data[12..]);
        byte ttl = data[8];
        if (context.Out is not null && context.Packet.Socket is null)
        {
            ttl++;
        }

        address &= list.Mask;
        ulong now = context.Net.Jiffies;
        bool result = Invert;
        var entry = list.Find(address, (CheckSet & Options.Ttl) != 0 ? ttl : (byte)0);
        if (entry is null)
        {
            if ((CheckSet & Options.Set) == 0)
            {
                return result;
            }

            list.Add(address, ttl, now);
            return !result;
        }

        if ((CheckSet & Options.Set) != 0)
        {
            result = !result;
        }
        else if ((CheckSet & Options.Remove) != 0)
        {
            list.Remove(entry);
            return !result;
        }
        else if ((CheckSet & (Options.Check | Options.Update)) != 0)
        {
            ulong time = unchecked(now - (uint)(Seconds * NetNamespace.Hz));
            uint hits = 0;
            for (int i = 0; i < entry.Count; i++)
            {
                if (Seconds != 0 && unchecked((long)(entry.Stamps[i] - time)) < 0)
                {
                    continue;
                }

                if (HitCount == 0 || ++hits >= HitCount)
                {
                    result = !result;
                    break;
                }
            }

            if ((CheckSet & Options.Reap) != 0)
            {
                list.Reap(time, entry);
            }
        }

        if ((CheckSet & Options.Set) != 0 || ((CheckSet & Options.Update) != 0 && result))
        {
            list.Stamp(entry, now);
            entry.Ttl = ttl;
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>recent_mt_check()</c>: the rule takes a reference on the named list, creating it with this rule's mask;
    /// an existing list whose entries keep fewer stamps than this rule needs is flushed and made larger.
    /// </remarks>
    public override object? CreateState(NetNamespace net)
    {
        int stampMask = StampsPerEntry != 0 && HitCount < StampsPerEntry
            ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2(StampsPerEntry) - 1
            : HitCount != 0 ? (int)System.Numerics.BitOperations.RoundUpToPowerOf2(HitCount) - 1 : 31;
        var list = net.Acquire(SharedKind, ListName, () => new RecentList(Mask.Value, stampMask));

        // The list may be in use by the running rules: it is made larger when the new ruleset takes over.
        net.AtSwitch(() =>
        {
            if (stampMask > list.StampMask)
            {
                list.Flush(stampMask);
            }
        });
        return list;
    }

    /// <inheritdoc />
    public override void DestroyState(NetNamespace net, object? state) => net.Release(SharedKind, ListName);

    private const string SharedKind = "xt_recent";

    /// <summary>One address of a list (<c>struct recent_entry</c>).</summary>
    private sealed class RecentEntry(int stamps)
    {
        public uint Address { get; set; }

        public byte Ttl { get; set; }

        public ulong[] Stamps { get; } = new ulong[stamps];

        public int Count { get; set; }

        public int Index { get; set; }
    }

    /// <summary>A named list (<c>struct recent_table</c>): entries in lookup order, and in least-recently-used order.</summary>
    private sealed class RecentList(uint mask, int stampMask)
    {
        private readonly List<RecentEntry> _entries = new(ListSize);
        private readonly List<RecentEntry> _lru = new(ListSize);
        private readonly Stack<RecentEntry> _free = new();

        public uint Mask { get; } = mask;

        public int StampMask { get; private set; } = stampMask;

        // recent_entry_lookup(): the address, and the TTL when both sides know one.
        public RecentEntry? Find(uint address, byte ttl)
        {
            foreach (var entry in _entries)
            {
                if (entry.Address == address && (ttl == entry.Ttl || ttl == 0 || entry.Ttl == 0))
                {
                    return entry;
                }
            }

            return null;
        }

        // recent_entry_init(): a full list gives up its least recently used entry.
        public void Add(uint address, byte ttl, ulong now)
        {
            if (_entries.Count >= ListSize)
            {
                Remove(_lru[0]);
            }

            var entry = _free.Count > 0 ? _free.Pop() : new RecentEntry(StampMask + 1);
            entry.Address = address;
            entry.Ttl = ttl;
            entry.Stamps[0] = now;
            entry.Count = 1;
            entry.Index = 1;
            _entries.Add(entry);
            _lru.Add(entry);
        }

        // recent_entry_update(): the stamps are a ring; the entry becomes the most recently used.
        public void Stamp(RecentEntry entry, ulong now)
        {
            entry.Index &= StampMask;
            entry.Stamps[entry.Index++] = now;
            if (entry.Index > entry.Count)
            {
                entry.Count = entry.Index;
            }

            _lru.Remove(entry);
            _lru.Add(entry);
        }

        public void Remove(RecentEntry entry)
        {
            _entries.Remove(entry);
            _lru.Remove(entry);
            _free.Push(entry);
        }

        // recent_entry_reap(): the least recently used entry goes when its latest stamp is older than the window.
        public void Reap(ulong time, RecentEntry working)
        {
            var oldest = _lru[0];
            if (oldest != working && unchecked((long)(oldest.Stamps[oldest.Index - 1] - time)) < 0)
            {
                Remove(oldest);
            }
        }

        // recent_table_flush() with a larger stamp ring.
        public void Flush(int stampMask)
        {
            _entries.Clear();
            _lru.Clear();
            _free.Clear();
            StampMask = stampMask;
        }
    }

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
