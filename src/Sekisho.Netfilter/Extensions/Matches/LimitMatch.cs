using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>limit</c> match: a token bucket over all packets reaching the rule.</summary>
/// <remarks>
/// The kernel's <c>struct xt_rateinfo</c> (xt_limit, revision 0): the average interval between packets in
/// 1/10000 s and the burst; the rest of the structure is the kernel's own. A rate prints in the largest unit
/// that divides it well enough (<c>limit: avg 3/hour burst 5</c>). The kernel refuses a burst of 0 and rates
/// whose credit computation overflows (ERANGE, "Overflow, try lower").
/// </remarks>
public sealed record LimitMatch(uint Average, uint Burst) : MatchInfo
{
    /// <summary><c>XT_LIMIT_SCALE</c>: the average is in units of 1/10000 s.</summary>
    public const uint Scale = 10000;

    /// <summary>The default burst.</summary>
    public const uint DefaultBurst = 5;

    /// <summary>The kernel's HZ (CONFIG_HZ=250 on this machine's kernel).</summary>
    private const uint Hz = 250;

    /// <summary><c>CREDITS_PER_JIFFY</c>: the power of two below 0xFFFFFFFF / (HZ*60*60*24).</summary>
    private const uint CreditsPerJiffy = 128;

    private static readonly XtModule s_module = new("limit", 0);

    private static readonly (string Name, uint Mult)[] s_rates =
    [
        ("day", Scale * 24 * 60 * 60), ("hour", Scale * 60 * 60), ("min", Scale * 60), ("sec", Scale),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new LimitExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_limit's <c>limit_mt()</c>: the rule's bucket gains 128 credits per jiffy since the last packet (in 32-bit
    /// arithmetic), is capped at <c>credit_cap</c> (the burst's worth), and a packet matches when it can pay
    /// <c>cost</c> (one average interval's worth).
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (state is not Bucket bucket)
        {
            return false;
        }

        ulong now = context.Net.Jiffies;
        uint credit = unchecked(bucket.Credit + (uint)((now - bucket.Previous) * CreditsPerJiffy));
        bucket.Previous = now;
        if (credit > bucket.CreditCap)
        {
            credit = bucket.CreditCap;
        }

        bool matches = credit >= bucket.Cost;
        bucket.Credit = matches ? credit - bucket.Cost : credit;
        return matches;
    }

    /// <inheritdoc />
    /// <remarks>What <c>limit_mt_check()</c> sets up: a full bucket, stamped with the current jiffies.</remarks>
    public override object? CreateState(NetNamespace net)
    {
        uint full = UserToCredits(unchecked(Average * Burst));
        return new Bucket
        {
            Previous = net.Jiffies,
            Credit = full,
            CreditCap = full,
            Cost = UserToCredits(Average),
        };
    }

    /// <summary>The kernel-private part of a limit rule (<c>struct xt_limit_priv</c> with credit_cap and cost).</summary>
    private sealed class Bucket
    {
        public ulong Previous { get; set; }

        public uint Credit { get; set; }

        public uint CreditCap { get; set; }

        public uint Cost { get; set; }
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" limit: avg");
        PrintRate(output, Average);
        output.Append(" burst ").Append(Burst.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" --limit");
        PrintRate(output, Average);
        if (Burst != DefaultBurst)
        {
            output.Append(" --limit-burst ").Append(Burst.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (Burst == 0 || UserToCredits(unchecked(Average * Burst)) < UserToCredits(Average))
        {
            context.Log.Write($"xt_limit: Overflow, try lower: {Average}/{Burst}");
            return Errno.ERANGE;
        }

        return Errno.Ok;
    }

    /// <summary>xt_limit's <c>user2credits()</c>, in 32-bit arithmetic.</summary>
    private static uint UserToCredits(uint user)
    {
        if (user > uint.MaxValue / (Hz * CreditsPerJiffy))
        {
            return unchecked(user / Scale * Hz * CreditsPerJiffy);
        }

        return user * Hz * CreditsPerJiffy / Scale;
    }

    /// <summary>libxt_limit's <c>print_rate()</c>.</summary>
    private static void PrintRate(StringBuilder output, uint period)
    {
        if (period == 0)
        {
            output.Append(" inf");
            return;
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
    }

    /// <summary>
    /// libxt_limit's <c>parse_rate()</c>: <c>N[/second|/minute|/hour|/day]</c> (any prefix of the unit); false for
    /// a bad rate, an error for one too fast to represent.
    /// </summary>
    internal static bool TryParseRate(string rate, out uint average)
    {
        average = 0;
        uint mult = 1;
        int slash = rate.IndexOf('/');
        if (slash >= 0)
        {
            if (!RateUnits.TryGetSeconds(rate[(slash + 1)..], out uint seconds))
            {
                return false;
            }

            mult = seconds;
        }

        uint r = unchecked((uint)CNumbers.Atoi(rate));
        if (r == 0)
        {
            return false;
        }

        average = Scale * mult / r;
        if (average == 0)
        {
            throw XtablesException.Parameter($"Rate too fast \"{rate}\"");
        }

        return true;
    }

    private sealed class LimitExtension : MatchExtension
    {
        public LimitExtension()
            : base("limit",
            [
                new XtOption("limit", 0, XtOptionType.String),
                new XtOption("limit-burst", 1, XtOptionType.UInt32, XtOptionFlags.Put) { Min = 0, Max = 10000 },
            ])
        {
        }

        public override string Help =>
            "limit match options:\n" +
            "--limit avg\t\t\tmax average match rate: default 3/hour\n" +
            "                                [Packets per second unless followed by \n" +
            "                                /sec /minute /hour /day postfixes]\n" +
            "--limit-burst number\t\tnumber to match in a burst, default 5\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private uint _average = Scale * 60 * 60 / 3;
        private uint _burst = DefaultBurst;

        public override void Parse(OptionCall call)
        {
            if (call.Entry.Id == 0)
            {
                if (!TryParseRate(call.Arg, out _average))
                {
                    throw XtablesException.Parameter($"bad rate \"{call.Arg}\"'");
                }
            }
            else
            {
                _burst = (uint)call.Value.Number;
            }
        }

        public override MatchInfo Build() => new LimitMatch(_average, _burst);
    }
}
