using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>ttl</c> match: compares the IP time-to-live with a value.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_ttl_info</c> (xt_hl's "ttl", revision 0) and iptables' libipt_ttl. Exactly one of
/// <c>--ttl-eq</c> (alias <c>--ttl</c>, which cannot be inverted), <c>--ttl-lt</c>, <c>--ttl-gt</c>; an inverted
/// <c>--ttl-eq</c> becomes "not equal".
/// </remarks>
public sealed record TtlMatch(TtlMatch.Comparison Mode, byte Ttl) : MatchInfo
{
    private static readonly XtModule s_module = new("ttl", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new TtlExtension();

    /// <summary>The comparison (<c>IPT_TTL_*</c>).</summary>
    public enum Comparison : byte
    {
        /// <summary><c>IPT_TTL_EQ</c>.</summary>
        Equal = 0,

        /// <summary><c>IPT_TTL_NE</c>.</summary>
        NotEqual = 1,

        /// <summary><c>IPT_TTL_LT</c>.</summary>
        Less = 2,

        /// <summary><c>IPT_TTL_GT</c>.</summary>
        Greater = 3,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>ipt_ttl's <c>ttl_mt()</c>: the IP header's TTL compared with the value.</remarks>
    public override bool Match(PacketContext context, object? state)
    {
        byte ttl = context.Data[8];
        return Mode switch
        {
            Comparison.Equal => ttl == Ttl,
            Comparison.NotEqual => ttl != Ttl,
            Comparison.Less => ttl < Ttl,
            Comparison.Greater => ttl > Ttl,
            _ => false,
        };
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" TTL match ").Append(Mode switch
        {
            Comparison.Equal => "TTL ==",
            Comparison.NotEqual => "TTL !=",
            Comparison.Less => "TTL <",
            Comparison.Greater => "TTL >",
            _ => string.Empty,
        });
        output.Append(' ').Append(Ttl.ToString(CultureInfo.InvariantCulture));
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(Mode switch
        {
            Comparison.Equal => " --ttl-eq",
            Comparison.NotEqual => " ! --ttl-eq",
            Comparison.Less => " --ttl-lt",
            Comparison.Greater => " --ttl-gt",
            _ => string.Empty,
        });
        output.Append(' ').Append(Ttl.ToString(CultureInfo.InvariantCulture));
    }

    private static class Ids
    {
        public const int Equal = 0;
        public const int Less = 1;
        public const int Greater = 2;
        public const uint Any = (1u << Equal) | (1u << Less) | (1u << Greater);
    }

    private sealed class TtlExtension : MatchExtension
    {
        public TtlExtension()
            : base("ttl",
            [
                new XtOption("ttl-lt", Ids.Less, XtOptionType.UInt8, XtOptionFlags.Put) { Excl = Ids.Any },
                new XtOption("ttl-gt", Ids.Greater, XtOptionType.UInt8, XtOptionFlags.Put) { Excl = Ids.Any },
                new XtOption("ttl-eq", Ids.Equal, XtOptionType.UInt8, XtOptionFlags.Invert | XtOptionFlags.Put) { Excl = Ids.Any },
                new XtOption("ttl", Ids.Equal, XtOptionType.UInt8, XtOptionFlags.Put) { Excl = Ids.Any },
            ])
        {
        }

        public override string Help =>
            "ttl match options:\n" +
            "[!] --ttl-eq value\tMatch time to live value\n" +
            "  --ttl-lt value\tMatch TTL < value\n" +
            "  --ttl-gt value\tMatch TTL > value\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private Comparison _mode;
        private byte _ttl;

        public override void Parse(OptionCall call)
        {
            _ttl = (byte)call.Value.Number;
            _mode = call.Entry.Id switch
            {
                Ids.Less => Comparison.Less,
                Ids.Greater => Comparison.Greater,
                _ => call.Invert ? Comparison.NotEqual : Comparison.Equal,
            };
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & Ids.Any) == 0)
            {
                throw XtablesException.Parameter("TTL match: You must specify one of `--ttl-eq', `--ttl-lt', `--ttl-gt");
            }
        }

        public override MatchInfo Build() => new TtlMatch(_mode, _ttl);
    }
}
