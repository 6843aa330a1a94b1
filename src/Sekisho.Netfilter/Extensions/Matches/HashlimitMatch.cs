using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>hashlimit</c> match: a token bucket per hash bucket (address, port) kept in a named table.</summary>
/// <remarks>
/// The kernel's <c>struct xt_hashlimit_mtinfo3</c> (xt_hashlimit, revision 3) without its private pointer. Rates
/// are in microseconds between packets (<c>XT_HASHLIMIT_SCALE_v2</c>) or, with <c>b/s</c>, byte costs. The kernel
/// refuses names it cannot use for a /proc file, a zero expiry or GC interval, masks over 32 bits, rates whose
/// credits overflow (ERANGE), a rate-match rate of 0, and a table name whose table was created with the other
/// rate-match setting (named tables live while any rule in any table uses them). It caps the table size and the
/// entry count at 1048576, and the capped values are what listings then show.
/// </remarks>
public sealed record HashlimitMatch(
    string TableName,
    ulong Average,
    ulong Burst,
    HashlimitMatch.Modes Mode,
    uint Size,
    uint Max,
    uint GcInterval,
    uint Expire,
    uint Interval,
    byte SourceMask,
    byte DestinationMask) : MatchInfo
{
    /// <summary><c>NAME_MAX</c>: room for the table name, including the terminating NUL.</summary>
    public const int NameSize = 255;

    /// <summary><c>XT_HASHLIMIT_SCALE_v2</c>: rates are in microseconds between packets.</summary>
    public const ulong Scale = 1000000;

    /// <summary>The default burst.</summary>
    public const ulong DefaultBurst = 5;

    /// <summary>The default garbage collection interval in milliseconds.</summary>
    public const uint DefaultGcInterval = 1000;

    /// <summary><c>HASHLIMIT_MAX_SIZE</c>: the kernel caps sizes and entry counts at this.</summary>
    public const uint MaxSize = 1048576;

    private const ulong BurstMax = 1000000;

    private const uint ByteExpire = 15;

    private const uint ByteExpireBurst = 60;

    private const int ByteShift = 4;

    /// <summary>HZ * CREDITS_PER_JIFFY / XT_HASHLIMIT_SCALE_v2 for HZ=250 (CREDITS_PER_JIFFY = 2^39).</summary>
    private const ulong CreditsPerUser = 250UL * (1UL << 39) / Scale;

    /// <summary>HZ * CREDITS_PER_JIFFY_BYTES for HZ=250 (CREDITS_PER_JIFFY_BYTES = 2^24).</summary>
    private const ulong ByteCreditsPerSecond = 250UL * (1UL << 24);

    private static readonly XtModule s_module = new("hashlimit", 3);

    // Named tables by name and their rate-match setting, per ruleset and per table being checked.
    private static readonly ConditionalWeakTable<Ruleset, Dictionary<string, bool>> s_liveTables = new();

    private static readonly ConditionalWeakTable<IReadOnlyList<MatchInfo>, CheckedIndex> s_checkedTables = new();

    private static readonly (string Name, ulong Mult)[] s_rates =
    [
        ("day", Scale * 24 * 60 * 60), ("hour", Scale * 60 * 60), ("min", Scale * 60), ("sec", Scale),
    ];

    private static readonly (string Name, uint Threshold)[] s_units = [("m", 1024 * 1024), ("k", 1024), (string.Empty, 1)];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new HashlimitExtension();

    /// <summary>The <c>XT_HASHLIMIT_*</c> bits of <c>cfg.mode</c>.</summary>
    [Flags]
    public enum Modes : uint
    {
        /// <summary>One bucket for all packets.</summary>
        None = 0,

        /// <summary><c>XT_HASHLIMIT_HASH_DIP</c>.</summary>
        DestinationIp = 1 << 0,

        /// <summary><c>XT_HASHLIMIT_HASH_DPT</c>.</summary>
        DestinationPort = 1 << 1,

        /// <summary><c>XT_HASHLIMIT_HASH_SIP</c>.</summary>
        SourceIp = 1 << 2,

        /// <summary><c>XT_HASHLIMIT_HASH_SPT</c>.</summary>
        SourcePort = 1 << 3,

        /// <summary><c>XT_HASHLIMIT_INVERT</c>: match above the rate.</summary>
        Invert = 1 << 4,

        /// <summary><c>XT_HASHLIMIT_BYTES</c>: the rate is in bytes.</summary>
        Bytes = 1 << 5,

        /// <summary><c>XT_HASHLIMIT_RATE_MATCH</c>: measure the rate, do not limit it.</summary>
        RateMatch = 1 << 6,

        /// <summary>The hashed fields.</summary>
        Hashed = DestinationIp | DestinationPort | SourceIp | SourcePort,

        /// <summary><c>XT_HASHLIMIT_ALL</c>.</summary>
        All = 0x7F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <summary><c>CREDITS_PER_JIFFY_BYTES * HZ</c>: a full byte-mode bucket.</summary>
    private const ulong ByteCreditsFull = ByteCreditsPerSecond;

    /// <inheritdoc />
    /// <remarks>
    /// xt_hashlimit's <c>hashlimit_mt_common()</c> for revision 3: the packet's key (addresses under their masks,
    /// ports read at the transport offset for protocols with ports, whatever the fragment offset) selects a bucket
    /// of the named table; a new bucket starts full (as the table's creating rule configured it), an existing one
    /// is refilled for the jiffies since its last packet and capped. Below the limit the packet matches
    /// (<c>--hashlimit-upto</c>), above it <c>--hashlimit-above</c> does. With <c>--hashlimit-rate-match</c> the
    /// bucket counts packets (or bytes) per interval instead. A full table, or a packet too short for its ports,
    /// is dropped.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (state is not HashlimitTable table)
        {
            return false;
        }

        var config = table.Config;
        var data = context.Data;
        var mode = config.Mode;
        var key = default(HashlimitKey);
        if ((mode & Modes.DestinationIp) != 0)
        {
            key.Destination = MaskAddress(BinaryPrimitives.ReadUInt32BigEndian(data[16..]), config.DestinationMask);
        }

        if ((mode & Modes.SourceIp) != 0)
        {
            key.Source = MaskAddress(BinaryPrimitives.ReadUInt32BigEndian(data[12..]), config.SourceMask);
        }

        if ((mode & (Modes.SourcePort | Modes.DestinationPort)) != 0)
        {
            int portOffset = data[9] switch
            {
                6 or 17 or 33 or 50 or 132 or 136 => 0,
                51 => 4,
                _ => -1,
            };
            if (portOffset >= 0)
            {
                if (!context.TryRead(context.TransportOffset + portOffset, 4, out var ports))
                {
                    context.HotDrop = true;
                    return false;
                }

                if ((mode & Modes.SourcePort) != 0)
                {
                    key.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(ports);
                }

                if ((mode & Modes.DestinationPort) != 0)
                {
                    key.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(ports[2..]);
                }
            }
        }

        ulong now = context.Net.Jiffies;
        table.Collect(now);
        ulong expires = now + MillisecondsToJiffies(config.Expire);
        if (!table.Buckets.TryGetValue(key, out var bucket))
        {
            if (table.Buckets.Count >= table.MaxEntries)
            {
                context.HotDrop = true;
                return false;
            }

            bucket = table.Rent();
            table.Buckets.Add(key, bucket);
            bucket.Expires = expires;
            Initialise(bucket, config, now);
        }
        else
        {
            bucket.Expires = expires;
            Recalculate(bucket, config.Mode, now);
        }

        bool invert = (Mode & Modes.Invert) != 0;
        if ((Mode & Modes.RateMatch) != 0)
        {
            bucket.CurrentRate += (Mode & Modes.Bytes) != 0 ? (ulong)context.Packet.Length : 1;
            return (!bucket.PreviousWindow && bucket.CurrentRate <= bucket.Burst) ^ invert;
        }

        ulong cost = (Mode & Modes.Bytes) != 0 ? ByteCost(context.Packet.Length, bucket) : bucket.Cost;
        if (bucket.Credit >= cost)
        {
            bucket.Credit -= cost;
            return !invert;
        }

        return invert;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <c>hashlimit_mt_check()</c>: the rule takes a reference on the named table, which keeps the configuration
    /// of the rule that created it (<c>htable_create()</c>: 8192 buckets on a host with more than 1 GiB of memory,
    /// at most eight times as many entries).
    /// </remarks>
    public override object? CreateState(NetNamespace net) =>
        net.Acquire(SharedKind, TableName, () => new HashlimitTable((HashlimitMatch)Stored, net.Jiffies));

    /// <inheritdoc />
    public override void DestroyState(NetNamespace net, object? state) => net.Release(SharedKind, TableName);

    private const string SharedKind = "xt_hashlimit";

    // maskl(): the address under a prefix of that many bits (0 bits: 0).
    private static uint MaskAddress(uint address, byte bits) =>
        bits == 0 ? 0 : bits >= 32 ? address : address & (uint.MaxValue << (32 - bits));

    // msecs_to_jiffies() with HZ=250: rounded up to whole 4 ms jiffies.
    private static ulong MillisecondsToJiffies(uint milliseconds) =>
        ((ulong)milliseconds + (1000 / NetNamespace.Hz) - 1) / (1000 / NetNamespace.Hz);

    // rateinfo_init() for revision 3.
    private static void Initialise(HashlimitBucket bucket, HashlimitMatch config, ulong now)
    {
        bucket.Previous = now;
        if ((config.Mode & Modes.RateMatch) != 0)
        {
            bucket.PreviousWindow = false;
            bucket.CurrentRate = 0;
            if ((config.Mode & Modes.Bytes) != 0)
            {
                uint r = config.Average != 0 ? uint.MaxValue / (uint)config.Average : uint.MaxValue;
                bucket.Rate = unchecked((ulong)(uint)(r - 1) << ByteShift);
                bucket.Burst = config.Burst != 0 ? unchecked(config.Burst * bucket.Rate) : bucket.Rate;
            }
            else
            {
                bucket.Rate = config.Average != 0 ? Scale / config.Average : 0;
                bucket.Burst = unchecked(config.Burst + bucket.Rate);
            }

            bucket.Interval = config.Interval;
            return;
        }

        if ((config.Mode & Modes.Bytes) != 0)
        {
            bucket.Credit = ByteCreditsFull;
            bucket.Cost = (uint)(((ulong)(uint)config.Average * ByteCreditsPerSecond) >> 32);
            bucket.CreditCap = config.Burst;
        }
        else
        {
            bucket.Credit = UserToCredits(unchecked(config.Average * config.Burst));
            bucket.Cost = UserToCredits(config.Average);
            bucket.CreditCap = bucket.Credit;
        }
    }

    // rateinfo_recalc() for revision 3.
    private static void Recalculate(HashlimitBucket bucket, Modes mode, ulong now)
    {
        ulong delta = unchecked(now - bucket.Previous);
        if (delta == 0)
        {
            return;
        }

        if ((mode & Modes.RateMatch) != 0)
        {
            ulong interval = (ulong)bucket.Interval * NetNamespace.Hz;
            if (delta < interval)
            {
                return;
            }

            bucket.Previous = now;
            bucket.PreviousWindow = unchecked(bucket.CurrentRate * interval) > unchecked(delta * bucket.Rate);
            bucket.CurrentRate = 0;
            return;
        }

        bucket.Previous = now;
        ulong cap;
        if ((mode & Modes.Bytes) != 0)
        {
            ulong before = bucket.Credit;
            bucket.Credit = unchecked(bucket.Credit + ((ulong)(1u << 24) * delta));
            cap = ByteCreditsFull;
            if (before >= bucket.Credit)
            {
                bucket.Credit = cap;
                return;
            }
        }
        else
        {
            bucket.Credit = unchecked(bucket.Credit + (delta * (1UL << 39)));
            cap = bucket.CreditCap;
        }

        if (bucket.Credit > cap)
        {
            bucket.Credit = cap;
        }
    }

    // hashlimit_byte_cost(): 16-byte chunks times the cost, at most a second's credits; an empty bucket draws on
    // the burst, refilling whole.
    private static ulong ByteCost(int length, HashlimitBucket bucket)
    {
        ulong cost = unchecked(((ulong)((uint)length >> ByteShift) + 1) * bucket.Cost);
        if (cost > ByteCreditsFull)
        {
            cost = ByteCreditsFull;
        }

        if (bucket.Credit < cost && bucket.CreditCap != 0)
        {
            bucket.CreditCap--;
            bucket.Credit = ByteCreditsFull;
        }

        return (uint)cost;
    }

    /// <summary>What a bucket is found by (<c>struct dsthash_dst</c>).</summary>
    private struct HashlimitKey : IEquatable<HashlimitKey>
    {
        public uint Source;
        public uint Destination;
        public ushort SourcePort;
        public ushort DestinationPort;

        public readonly bool Equals(HashlimitKey other) =>
            Source == other.Source && Destination == other.Destination && SourcePort == other.SourcePort
            && DestinationPort == other.DestinationPort;

        public override readonly bool Equals(object? obj) => obj is HashlimitKey other && Equals(other);

        public override readonly int GetHashCode() => HashCode.Combine(Source, Destination, SourcePort, DestinationPort);
    }

    /// <summary>One bucket (<c>struct dsthash_ent</c>'s rate information).</summary>
    private sealed class HashlimitBucket
    {
        public ulong Expires;
        public ulong Previous;
        public ulong Credit;
        public ulong CreditCap;
        public ulong Cost;
        public bool PreviousWindow;
        public ulong CurrentRate;
        public ulong Rate;
        public ulong Burst;
        public uint Interval;
    }

    /// <summary>A named table (<c>struct xt_hashlimit_htable</c>) with its creator's configuration.</summary>
    private sealed class HashlimitTable
    {
        private readonly Stack<HashlimitBucket> _free = new();
        private readonly List<HashlimitKey> _expired = [];
        private ulong _nextCollection;

        public HashlimitTable(HashlimitMatch config, ulong now)
        {
            Config = config;
            _nextCollection = now + MillisecondsToJiffies(config.GcInterval);
            uint size = config.Size != 0 ? config.Size : 8192;
            MaxEntries = config.Max == 0 ? 8L * size : Math.Max(config.Max, size);
        }

        public HashlimitMatch Config { get; }

        public long MaxEntries { get; }

        public Dictionary<HashlimitKey, HashlimitBucket> Buckets { get; } = [];

        public HashlimitBucket Rent() => _free.Count > 0 ? _free.Pop() : new HashlimitBucket();

        // htable_gc(): every gcinterval, buckets whose expiry has come are freed.
        public void Collect(ulong now)
        {
            if (unchecked((long)(now - _nextCollection)) < 0)
            {
                return;
            }

            _nextCollection = now + MillisecondsToJiffies(Config.GcInterval);
            foreach (var (key, bucket) in Buckets)
            {
                if (unchecked((long)(now - bucket.Expires)) >= 0)
                {
                    _expired.Add(key);
                }
            }

            foreach (var key in _expired)
            {
                _free.Push(Buckets[key]);
                Buckets.Remove(key);
            }

            _expired.Clear();
        }
    }

    /// <inheritdoc />
    public override MatchInfo Stored =>
        Size > MaxSize || Max > MaxSize ? this with { Size = Math.Min(Size, MaxSize), Max = Math.Min(Max, MaxSize) } : this;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append((Mode & Modes.Invert) != 0 ? " limit: above" : " limit: up to");
        ulong quantum;
        if ((Mode & Modes.Bytes) != 0)
        {
            quantum = PrintBytes(output, string.Empty);
        }
        else
        {
            ulong period = Average;
            if (Interval != 0)
            {
                period = unchecked(period * Interval);
            }

            quantum = PrintRate(output, period);
            output.Append(" burst ").Append(Burst.ToString(CultureInfo.InvariantCulture));
        }

        if ((Mode & Modes.Hashed) != 0)
        {
            output.Append(" mode");
            PrintMode(output, '-');
        }

        Number(output, Size != 0, " htable-size ", Size);
        Number(output, Max != 0, " htable-max ", Max);
        Number(output, GcInterval != DefaultGcInterval, " htable-gcinterval ", GcInterval);
        Number(output, Expire != quantum, " htable-expire ", Expire);
        Number(output, SourceMask != 32, " srcmask ", SourceMask);
        Number(output, DestinationMask != 32, " dstmask ", DestinationMask);
        if ((Mode & Modes.RateMatch) != 0)
        {
            output.Append(" rate-match");
            Number(output, Interval != 1, " rate-interval ", Interval);
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append((Mode & Modes.Invert) != 0 ? " --hashlimit-above" : " --hashlimit-upto");
        uint quantum;
        uint defaultInterval = 0;
        if ((Mode & Modes.Bytes) != 0)
        {
            quantum = context.Exact ? SaveBytesExactly(output) : PrintBytes(output, "--hashlimit-");
            defaultInterval = 1;
        }
        else
        {
            quantum = context.Exact ? SaveRateExactly(output, out defaultInterval) : PrintRate(output, Average);
            output.Append(" --hashlimit-burst ").Append(Burst.ToString(CultureInfo.InvariantCulture));
        }

        if ((Mode & Modes.Hashed) != 0)
        {
            output.Append(" --hashlimit-mode");
            PrintMode(output, ',');
        }

        output.Append(" --hashlimit-name");
        if (context.Exact)
        {
            Xt.SaveString(output, TableName);
        }
        else
        {
            output.Append(' ').Append(TableName);
        }

        Number(output, Size != 0, " --hashlimit-htable-size ", Size);
        Number(output, Max != 0, " --hashlimit-htable-max ", Max);
        Number(output, GcInterval != DefaultGcInterval, " --hashlimit-htable-gcinterval ", GcInterval);
        Number(output, Expire != quantum, " --hashlimit-htable-expire ", Expire);
        Number(output, SourceMask != 32, " --hashlimit-srcmask ", SourceMask);
        Number(output, DestinationMask != 32, " --hashlimit-dstmask ", DestinationMask);
        if ((Mode & Modes.RateMatch) != 0)
        {
            output.Append(" --hashlimit-rate-match");
            Number(output, context.Exact ? Interval != defaultInterval : Interval != 1, " --hashlimit-rate-interval ", Interval);
        }
        else if (context.Exact)
        {
            // An interval given without --hashlimit-rate-match is kept (and shows in -L) but not saved.
            Number(output, Interval != 0, " --hashlimit-rate-interval ", Interval);
        }
    }

    /// <summary>
    /// The state file's form of a packet rate: a <c>N/unit</c> that parses back to exactly this average (with
    /// rate-match, the parser divides by the unit, so seconds are used); returns the default expiry in
    /// milliseconds and the interval the parser would default to.
    /// </summary>
    private uint SaveRateExactly(StringBuilder output, out uint defaultInterval)
    {
        bool rateMatch = (Mode & Modes.RateMatch) != 0;
        for (int i = s_rates.Length - 1; i >= 0; i--)
        {
            if (rateMatch && i != s_rates.Length - 1)
            {
                break;
            }

            ulong mult = s_rates[i].Mult / Scale;
            ulong total = s_rates[i].Mult;
            ulong r = Average == 0 ? 0 : total / Average;
            if (r == 0 || total / r / (rateMatch ? mult : 1) != Average)
            {
                continue;
            }

            output.Append(' ').Append(r.ToString(CultureInfo.InvariantCulture)).Append('/').Append(s_rates[i].Name);
            defaultInterval = rateMatch ? (uint)mult : 0;
            return (uint)(mult * 1000);
        }

        // Not reachable for averages iptables produces; fall back to iptables' own form.
        defaultInterval = rateMatch ? 1u : 0u;
        return PrintRate(output, Average);
    }

    /// <summary>The state file's form of a byte rate: a byte count whose cost is exactly this average.</summary>
    private uint SaveBytesExactly(StringBuilder output)
    {
        // bytes_to_cost(b) == avg for (b >> 4) + 1 in (U / (avg + 1), U / avg]: take the smallest.
        ulong k = (uint.MaxValue / (Average + 1)) + 1;
        ulong bytes = (k - 1) << ByteShift;
        if (Average == 0 || BytesToCost(bytes) != Average)
        {
            return PrintBytes(output, "--hashlimit-");
        }

        output.Append(' ').Append(bytes.ToString(CultureInfo.InvariantCulture)).Append("b/s");
        if (Burst == 0)
        {
            return ByteExpire * 1000;
        }

        // The parser turns a byte burst back into a count of cost_to_bytes() units, rounding up.
        output.Append(" --hashlimit-burst ").Append(unchecked(CostToBytes(Average) * Burst).ToString(CultureInfo.InvariantCulture)).Append('b');
        return ByteExpireBurst * 1000;
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (TableName.Length == 0 || TableName == "." || TableName == ".." || TableName.Contains('/'))
        {
            return Errno.EINVAL;
        }

        if (GcInterval == 0 || Expire == 0)
        {
            return Errno.EINVAL;
        }

        if (Size > MaxSize)
        {
            context.Log.Write($"xt_hashlimit: size too large, truncated to {MaxSize}");
        }

        if (Max > MaxSize)
        {
            context.Log.Write($"xt_hashlimit: max too large, truncated to {MaxSize}");
        }

        if (SourceMask > 32 || DestinationMask > 32)
        {
            return Errno.EINVAL;
        }

        if ((Mode & ~Modes.All) != 0)
        {
            context.Log.Write($"xt_hashlimit: Unknown mode mask {(uint)Mode:X}, kernel too old?");
            return Errno.EINVAL;
        }

        if ((Mode & Modes.RateMatch) != 0)
        {
            if (Average == 0 || Average > uint.MaxValue)
            {
                context.Log.Write("xt_hashlimit: invalid rate");
                return Errno.ERANGE;
            }

            if (Interval == 0)
            {
                context.Log.Write("xt_hashlimit: invalid interval");
                return Errno.EINVAL;
            }
        }
        else if ((Mode & Modes.Bytes) != 0)
        {
            if (((ulong)(uint)Average * ByteCreditsPerSecond) >> 32 == 0)
            {
                context.Log.Write($"xt_hashlimit: overflow, rate too high: {Average}");
                return Errno.EINVAL;
            }
        }
        else if (Burst == 0 || UserToCredits(unchecked(Average * Burst)) < UserToCredits(Average))
        {
            context.Log.Write($"xt_hashlimit: overflow, try lower: {Average}/{Burst}");
            return Errno.ERANGE;
        }

        // A named table keeps the rate-match setting of the rule that created it.
        bool rateMatch = (Mode & Modes.RateMatch) != 0;
        bool? tableRateMatch = FindTableRateMatch(context);
        return tableRateMatch is { } existing && existing != rateMatch ? Errno.EINVAL : Errno.Ok;
    }

    /// <summary>xt_hashlimit's <c>user2credits()</c> for revision 3, in wrapping 64-bit arithmetic.</summary>
    private static ulong UserToCredits(ulong user) => unchecked(user * CreditsPerUser);

    /// <summary>libxt_hashlimit's <c>cost_to_bytes()</c>.</summary>
    private static ulong CostToBytes(ulong cost)
    {
        ulong r = cost != 0 ? uint.MaxValue / cost : uint.MaxValue;
        return unchecked((r - 1) << ByteShift);
    }

    /// <summary>libxt_hashlimit's <c>bytes_to_cost()</c>: the shifted byte count is a 32-bit value.</summary>
    private static ulong BytesToCost(ulong bytes)
    {
        uint r = unchecked((uint)(bytes >> ByteShift));
        uint divisor = unchecked(r + 1);
        return divisor == 0 ? 0 : uint.MaxValue / divisor;
    }

    /// <summary>The rate-match setting of the live table of this name, if one exists.</summary>
    /// <remarks>
    /// The kernel's table list: tables created by rules still in the kernel (any table, including the old version of
    /// the one being replaced), then those created by the rules of the new table checked so far. Both are indexed
    /// once, so that a large restore stays linear.
    /// </remarks>
    private bool? FindTableRateMatch(CheckContext context)
    {
        if (context.Current is { } current && s_liveTables.GetValue(current, BuildLiveIndex).TryGetValue(TableName, out bool live))
        {
            return live;
        }

        var index = s_checkedTables.GetOrCreateValue(context.CheckedMatches);
        var matches = context.CheckedMatches;
        for (; index.Scanned < matches.Count; index.Scanned++)
        {
            if (matches[index.Scanned] is HashlimitMatch other)
            {
                index.RateMatch.TryAdd(other.TableName, (other.Mode & Modes.RateMatch) != 0);
            }
        }

        return index.RateMatch.TryGetValue(TableName, out bool created) ? created : null;
    }

    private static Dictionary<string, bool> BuildLiveIndex(Ruleset current)
    {
        var index = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var table in current.Tables)
        {
            foreach (var chain in table.Chains)
            {
                foreach (var rule in chain.Rules)
                {
                    foreach (var match in rule.Matches)
                    {
                        if (match is HashlimitMatch other)
                        {
                            index.TryAdd(other.TableName, (other.Mode & Modes.RateMatch) != 0);
                        }
                    }
                }
            }
        }

        return index;
    }

    /// <summary>The named tables created by the matches of a table being checked, as far as they were scanned.</summary>
    private sealed class CheckedIndex
    {
        public Dictionary<string, bool> RateMatch { get; } = new(StringComparer.Ordinal);

        public int Scanned { get; set; }
    }

    private static void Number(StringBuilder output, bool condition, string label, uint value)
    {
        if (condition)
        {
            output.Append(label).Append(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>libxt_hashlimit's <c>print_rate()</c>; returns the unit in milliseconds.</summary>
    private static uint PrintRate(StringBuilder output, ulong period)
    {
        if (period == 0)
        {
            output.Append(" inf");
            return 0;
        }

        int i = 1;
        for (; i < s_rates.Length; i++)
        {
            if (period > s_rates[i].Mult || s_rates[i].Mult / period < s_rates[i].Mult % period)
            {
                break;
            }
        }

        output.Append(' ').Append((s_rates[i - 1].Mult / period).ToString(CultureInfo.InvariantCulture))
            .Append('/').Append(s_rates[i - 1].Name);
        return unchecked((uint)(s_rates[i - 1].Mult / Scale * 1000));
    }

    /// <summary>libxt_hashlimit's <c>print_bytes()</c>; returns the default expiry in milliseconds.</summary>
    private uint PrintBytes(StringBuilder output, string prefix)
    {
        ulong r = CostToBytes(Average);
        int i = 0;
        for (; i < s_units.Length - 1; i++)
        {
            // ~(thresh - 1) is computed in 32 bits, so the mask also clears the upper half of r.
            ulong mask = (uint)~(s_units[i].Threshold - 1);
            if (r >= s_units[i].Threshold && BytesToCost(r & mask) == Average)
            {
                break;
            }
        }

        output.Append(' ').Append((r / s_units[i].Threshold).ToString(CultureInfo.InvariantCulture))
            .Append(s_units[i].Name).Append("b/s");
        if (Burst == 0)
        {
            return ByteExpire * 1000;
        }

        r = unchecked(r * Burst);
        output.Append(' ').Append(prefix);
        for (i = 0; i < s_units.Length - 1; i++)
        {
            if (r >= s_units[i].Threshold)
            {
                break;
            }
        }

        output.Append("burst ").Append((r / s_units[i].Threshold).ToString(CultureInfo.InvariantCulture))
            .Append(s_units[i].Name).Append('b');
        return ByteExpireBurst * 1000;
    }

    private void PrintMode(StringBuilder output, char separator)
    {
        output.Append(' ');
        bool previous = false;
        foreach (var (mode, name) in new[]
                 {
                     (Modes.SourceIp, "srcip"), (Modes.SourcePort, "srcport"), (Modes.DestinationIp, "dstip"),
                     (Modes.DestinationPort, "dstport"),
                 })
        {
            if ((Mode & mode) == 0)
            {
                continue;
            }

            if (previous)
            {
                output.Append(separator);
            }

            output.Append(name);
            previous = true;
        }
    }

    private static class Ids
    {
        public const int UpTo = 0;
        public const int Above = 1;
        public const int Mode = 3;
        public const int SourceMask = 4;
        public const int DestinationMask = 5;
        public const int Name = 6;
        public const int Burst = 7;
        public const int Size = 8;
        public const int Max = 9;
        public const int GcInterval = 10;
        public const int Expire = 11;
        public const int RateMatch = 12;
        public const int Interval = 13;
    }

    private sealed class HashlimitExtension : MatchExtension
    {
        public HashlimitExtension()
            : base("hashlimit",
            [
                new XtOption("hashlimit-upto", Ids.UpTo, XtOptionType.String, XtOptionFlags.Invert) { Excl = 1u << Ids.Above },
                new XtOption("hashlimit-above", Ids.Above, XtOptionType.String, XtOptionFlags.Invert) { Excl = 1u << Ids.UpTo },
                new XtOption("hashlimit", Ids.UpTo, XtOptionType.String, XtOptionFlags.Invert) { Excl = 1u << Ids.Above },
                new XtOption("hashlimit-srcmask", Ids.SourceMask, XtOptionType.PrefixLength),
                new XtOption("hashlimit-dstmask", Ids.DestinationMask, XtOptionType.PrefixLength),
                new XtOption("hashlimit-burst", Ids.Burst, XtOptionType.String),
                new XtOption("hashlimit-htable-size", Ids.Size, XtOptionType.UInt32, XtOptionFlags.Put),
                new XtOption("hashlimit-htable-max", Ids.Max, XtOptionType.UInt32, XtOptionFlags.Put),
                new XtOption("hashlimit-htable-gcinterval", Ids.GcInterval, XtOptionType.UInt32, XtOptionFlags.Put),
                new XtOption("hashlimit-htable-expire", Ids.Expire, XtOptionType.UInt32, XtOptionFlags.Put),
                new XtOption("hashlimit-mode", Ids.Mode, XtOptionType.String),
                new XtOption("hashlimit-name", Ids.Name, XtOptionType.String, XtOptionFlags.Mandatory | XtOptionFlags.Put)
                {
                    Min = 1, Size = NameSize,
                },
                new XtOption("hashlimit-rate-match", Ids.RateMatch, XtOptionType.None),
                new XtOption("hashlimit-rate-interval", Ids.Interval, XtOptionType.String),
            ])
        {
        }

        public override string Help =>
            "hashlimit match options:\n" +
            "  --hashlimit-upto <avg>           max average match rate\n" +
            "                                   [Packets per second unless followed by \n" +
            "                                   /sec /minute /hour /day postfixes]\n" +
            "  --hashlimit-above <avg>          min average match rate\n" +
            "  --hashlimit-mode <mode>          mode is a comma-separated list of\n" +
            "                                   dstip,srcip,dstport,srcport (or none)\n" +
            "  --hashlimit-srcmask <length>     source address grouping prefix length\n" +
            "  --hashlimit-dstmask <length>     destination address grouping prefix length\n" +
            "  --hashlimit-name <name>          name for /proc/net/ipt_hashlimit\n" +
            "  --hashlimit-burst <num>\t    number to match in a burst, default 5\n" +
            "  --hashlimit-htable-size <num>    number of hashtable buckets\n" +
            "  --hashlimit-htable-max <num>     number of hashtable entries\n" +
            "  --hashlimit-htable-gcinterval    interval between garbage collection runs\n" +
            "  --hashlimit-htable-expire        after which time are idle entries expired?\n" +
            "  --hashlimit-rate-match           rate match the flow without rate-limiting it\n" +
            "  --hashlimit-rate-interval        interval in seconds for hashlimit-rate-match\n" +
            "\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private string _name = string.Empty;
        private ulong _average;
        private ulong _burst = DefaultBurst;
        private Modes _mode;
        private uint _size;
        private uint _max;
        private uint _gcInterval = DefaultGcInterval;
        private uint _expire;
        private uint _interval;
        private byte _sourceMask = 32;
        private byte _destinationMask = 32;

        // The udata "mult": seconds per rate unit, or the byte-mode expiry.
        private uint _mult;

        public override void Parse(OptionCall call)
        {
            var value = call.Value;
            switch (call.Entry.Id)
            {
                case Ids.Burst:
                    _burst = ParseBurst(call.Arg);
                    break;
                case Ids.UpTo:
                    if (call.Invert)
                    {
                        _mode |= Modes.Invert;
                    }

                    ParseLimit(call.Arg, "--hashlimit-upto");
                    break;
                case Ids.Above:
                    if (!call.Invert)
                    {
                        _mode |= Modes.Invert;
                    }

                    ParseLimit(call.Arg, "--hashlimit-above");
                    break;
                case Ids.Mode:
                    ParseMode(call.Arg);
                    break;
                case Ids.SourceMask:
                    _sourceMask = unchecked((byte)value.HostLength);
                    break;
                case Ids.DestinationMask:
                    _destinationMask = unchecked((byte)value.HostLength);
                    break;
                case Ids.RateMatch:
                    _mode |= Modes.RateMatch;
                    break;
                case Ids.Interval:
                    int interval = CNumbers.Atoi(call.Arg);
                    if (interval <= 0)
                    {
                        throw Xt.BadValue("hashlimit", "--hashlimit-rate-interval", call.Arg);
                    }

                    _interval = (uint)interval;
                    break;
                case Ids.Name:
                    _name = Xt.FitString(call.Arg, NameSize);
                    break;
                case Ids.Size:
                    _size = (uint)value.Number;
                    break;
                case Ids.Max:
                    _max = (uint)value.Number;
                    break;
                case Ids.GcInterval:
                    _gcInterval = (uint)value.Number;
                    break;
                case Ids.Expire:
                    _expire = (uint)value.Number;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & ((1u << Ids.UpTo) | (1u << Ids.Above))) == 0)
            {
                throw XtablesException.Parameter("You have to specify --hashlimit");
            }

            bool expireGiven = (Flags & (1u << Ids.Expire)) != 0;
            if (!expireGiven)
            {
                _expire = unchecked(_mult * 1000);
            }

            if ((_mode & Modes.Bytes) != 0)
            {
                uint burst = 0;
                if ((Flags & (1u << Ids.Burst)) != 0)
                {
                    ulong unit = CostToBytes(_average);
                    if (_burst < unit)
                    {
                        throw XtablesException.Parameter($"burst cannot be smaller than {unit}b");
                    }

                    burst = unchecked((uint)((uint)_burst / unit));
                    if (_burst % unit != 0)
                    {
                        burst++;
                    }

                    if (!expireGiven)
                    {
                        _expire = ByteExpireBurst * 1000;
                    }
                }

                _burst = burst;
            }
            else if (_burst > BurstMax)
            {
                throw BurstError();
            }

            if ((Flags & (1u << Ids.RateMatch)) != 0)
            {
                if ((_mode & Modes.Bytes) == 0)
                {
                    _average /= _mult;
                }

                if (_interval == 0)
                {
                    _interval = (_mode & Modes.Bytes) != 0 ? 1 : _mult;
                }
            }
        }

        public override MatchInfo Build() => new HashlimitMatch(
            _name, _average, _burst, _mode, _size, _max, _gcInterval, _expire, _interval, _sourceMask, _destinationMask);

        private static XtablesException BurstError() => XtablesException.Parameter(
            $"bad value for option \"--hashlimit-burst\", or out of range (1-{BurstMax}).");

        private static uint Factor(char unit) => unit switch
        {
            'm' => 1024 * 1024,
            'k' => 1024,
            _ => 1,
        };

        /// <summary>libxt_hashlimit's <c>parse_burst()</c>: a number, optionally followed by k or m.</summary>
        private static ulong ParseBurst(string arg)
        {
            if (!CNumbers.TryStrToUL(arg, 0, out int end, out ulong value, 1, ulong.MaxValue) ||
                (end == arg.Length && value > BurstMax))
            {
                throw BurstError();
            }

            return unchecked(value * Factor(end < arg.Length ? arg[end] : '\0'));
        }

        private void ParseLimit(string arg, string option)
        {
            if (TryParseBytes(arg))
            {
                _mode |= Modes.Bytes;
            }
            else if (!TryParseRate(arg))
            {
                throw Xt.BadValue("hashlimit", option, arg);
            }
        }

        /// <summary>libxt_hashlimit's <c>parse_bytes()</c>: <c>N[k|m]b/s</c>.</summary>
        private bool TryParseBytes(string rate)
        {
            int unit = rate.IndexOf("b/s", StringComparison.Ordinal);
            if (unit <= 0)
            {
                return false;
            }

            ulong r = unchecked((ulong)CNumbers.Atoll(rate));
            if (r == 0)
            {
                return false;
            }

            ulong cost = BytesToCost(unchecked(r * Factor(rate[unit - 1])));
            if (cost == 0)
            {
                throw XtablesException.Parameter($"Rate too high \"{rate}\"");
            }

            _mult = ByteExpire;
            _average = cost;
            return true;
        }

        /// <summary>libxt_hashlimit's <c>parse_rate()</c>: <c>N[/second|/minute|/hour|/day]</c>, units abbreviated.</summary>
        private bool TryParseRate(string rate)
        {
            _mult = 1;
            int slash = rate.IndexOf('/');
            if (slash >= 0)
            {
                if (!RateUnits.TryGetSeconds(rate[(slash + 1)..], out uint seconds))
                {
                    return false;
                }

                _mult = seconds;
            }

            ulong r = unchecked((ulong)CNumbers.Atoll(rate));
            if (r == 0)
            {
                return false;
            }

            ulong average = Scale * _mult / r;
            if (average == 0)
            {
                throw XtablesException.Parameter($"Rate too fast \"{rate}\"");
            }

            _average = average;
            return true;
        }

        /// <summary>libxt_hashlimit's <c>parse_mode()</c>: tokens separated by ',' or '|'.</summary>
        private void ParseMode(string arg)
        {
            foreach (string token in arg.Split([',', '|'], StringSplitOptions.RemoveEmptyEntries))
            {
                _mode |= token switch
                {
                    "dstip" => Modes.DestinationIp,
                    "srcip" => Modes.SourceIp,
                    "srcport" => Modes.SourcePort,
                    "dstport" => Modes.DestinationPort,
                    _ => throw Xt.BadValue("hashlimit", "--hashlimit-mode", arg),
                };
            }
        }
    }
}
