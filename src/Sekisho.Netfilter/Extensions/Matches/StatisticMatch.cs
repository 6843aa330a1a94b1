using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>statistic</c> match: a random sample of packets, or every nth packet.</summary>
/// <remarks>
/// The kernel's <c>struct xt_statistic_info</c> (xt_statistic, revision 0) without its private counter. The
/// probability is a fraction of 2^31 (<c>lround(0x80000000 * p)</c>), printed with eleven decimals; in nth mode
/// the kernel keeps <c>every</c> as n - 1. Random and nth parameters share a union in the kernel; a rule only
/// ever sets those of its mode.
/// </remarks>
public sealed record StatisticMatch(
    StatisticMatch.Modes Mode,
    bool Invert,
    uint Probability,
    uint Every,
    uint Packet) : MatchInfo
{
    private static readonly XtModule s_module = new("statistic", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new StatisticExtension();

    /// <summary><c>enum xt_statistic_mode</c>.</summary>
    public enum Modes : ushort
    {
        /// <summary><c>XT_STATISTIC_MODE_RANDOM</c>.</summary>
        Random = 0,

        /// <summary><c>XT_STATISTIC_MODE_NTH</c>.</summary>
        Nth = 1,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_statistic's <c>statistic_mt()</c>: in random mode a 31-bit random number from the namespace's
    /// <see cref="NetNamespace.Random"/> below the probability; in nth mode the rule's counter (starting at
    /// <c>every - packet</c>) runs from 0 to <c>every</c> and the packet that brings it back to 0 matches. Inverted
    /// with <c>!</c>.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        bool hit;
        if (Mode == Modes.Random)
        {
            hit = (uint)(context.Net.Random.Next() & 0x7FFFFFFF) < Probability;
        }
        else if (Mode == Modes.Nth && state is NthCounter counter)
        {
            counter.Count = counter.Count == Every ? 0 : counter.Count + 1;
            hit = counter.Count == 0;
        }
        else
        {
            hit = false;
        }

        return hit ^ Invert;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The counter of nth mode (<c>info-&gt;master</c>), set as checkentry does to the <c>count</c> iptables computes
    /// (<c>every - packet</c>, both as the kernel keeps them): with <c>--packet 0</c> the first packet matches.
    /// </remarks>
    public override object? CreateState(NetNamespace net) => new NthCounter { Count = unchecked(Every - Packet) };

    /// <summary>The shared counter of an nth-mode rule (<c>struct xt_statistic_priv</c>).</summary>
    private sealed class NthCounter
    {
        public uint Count { get; set; }
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" statistic");
        Append(output, string.Empty);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Append(output, "--");

    private void Append(StringBuilder output, string prefix)
    {
        string invert = Invert ? " !" : string.Empty;
        switch (Mode)
        {
            case Modes.Random:
                output.Append(' ').Append(prefix).Append("mode random").Append(invert).Append(' ').Append(prefix)
                    .Append("probability ")
                    .Append((1.0 * Probability / 0x80000000).ToString("F11", CultureInfo.InvariantCulture));
                break;
            case Modes.Nth:
                output.Append(' ').Append(prefix).Append("mode nth").Append(invert).Append(' ').Append(prefix)
                    .Append("every ").Append(unchecked(Every + 1).ToString(CultureInfo.InvariantCulture));
                if (Packet != 0 || prefix.Length != 0)
                {
                    output.Append(' ').Append(prefix).Append("packet ").Append(Packet.ToString(CultureInfo.InvariantCulture));
                }

                break;
        }
    }

    private static class Ids
    {
        public const int Mode = 0;
        public const int Probability = 1;
        public const int Every = 2;
        public const int Packet = 3;
    }

    private sealed class StatisticExtension : MatchExtension
    {
        public StatisticExtension()
            : base("statistic",
            [
                new XtOption("mode", Ids.Mode, XtOptionType.String, XtOptionFlags.Mandatory),
                new XtOption("probability", Ids.Probability, XtOptionType.Double, XtOptionFlags.Invert)
                {
                    Min = 0, Max = 1, Excl = (1u << Ids.Every) | (1u << Ids.Packet),
                },
                new XtOption("every", Ids.Every, XtOptionType.UInt32, XtOptionFlags.Invert | XtOptionFlags.Put)
                {
                    Min = 1, Excl = 1u << Ids.Probability, Also = 1u << Ids.Packet,
                },
                new XtOption("packet", Ids.Packet, XtOptionType.UInt32, XtOptionFlags.Put)
                {
                    Excl = 1u << Ids.Probability, Also = 1u << Ids.Every,
                },
            ])
        {
        }

        public override string Help =>
            "statistic match options:\n" +
            " --mode mode                    Match mode (random, nth)\n" +
            " random mode:\n" +
            "[!] --probability p\t\t Probability\n" +
            " nth mode:\n" +
            "[!] --every n\t\t\t Match every nth packet\n" +
            " --packet p\t\t\t Initial counter value (0 <= p <= n-1, default 0)\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private Modes _mode;
        private bool _invert;
        private uint _probability;
        private uint _every;
        private uint _packet;

        public override void Parse(OptionCall call)
        {
            if (call.Invert)
            {
                _invert = true;
            }

            switch (call.Entry.Id)
            {
                case Ids.Mode:
                    _mode = call.Arg switch
                    {
                        "random" => Modes.Random,
                        "nth" => Modes.Nth,
                        _ => throw XtablesException.Parameter($"Bad mode \"{call.Arg}\""),
                    };
                    break;
                case Ids.Probability:
                    _probability = (uint)Math.Round(0x80000000 * call.Value.Double, MidpointRounding.AwayFromZero);
                    break;
                case Ids.Every:
                    _every = (uint)call.Value.Number - 1;
                    break;
                case Ids.Packet:
                    _packet = (uint)call.Value.Number;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (_mode == Modes.Random && (Flags & (1u << Ids.Probability)) == 0)
            {
                throw XtablesException.Parameter("--probability must be specified when using random mode");
            }

            if (_mode == Modes.Nth && (Flags & ((1u << Ids.Every) | (1u << Ids.Packet))) == 0)
            {
                throw XtablesException.Parameter("--every and --packet must be specified when using nth mode");
            }

            // The kernel union: in random mode, "every" is the probability.
            uint every = _mode == Modes.Random ? _probability : _every;
            if (_packet > every)
            {
                throw XtablesException.Parameter("the --packet p must be 0 <= p <= n-1");
            }
        }

        public override MatchInfo Build() => new StatisticMatch(_mode, _invert, _probability, _every, _packet);
    }
}
