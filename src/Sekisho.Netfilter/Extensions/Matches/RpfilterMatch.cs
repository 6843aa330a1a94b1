using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

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
