using Sekisho.Netfilter.Engine;
using System.Text;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>connmark</c> match: the mark of the packet's connection, under a mask.</summary>
/// <remarks>
/// The kernel's <c>struct xt_connmark_mtinfo1</c> (xt_connmark, revision 1) and iptables' libxt_connmark: listed
/// as <c>connmark match  0x1/0xff</c> (two spaces; <c>connmark match ! 0x1</c> when inverted), the mask
/// omitted when it is 0xffffffff.
/// </remarks>
public sealed record ConnmarkMatch(uint Mark, uint Mask, bool Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("connmark", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new ConnmarkExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override bool UsesConntrack => true;

    /// <inheritdoc />
    /// <remarks>xt_connmark's <c>connmark_mt</c>: no connection, no match.</remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var ct = context.Packet.Conntrack;
        return ct is not null && ((ct.Mark & Mask) == Mark) != Invert;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" connmark match ");
        if (Invert)
        {
            output.Append('!');
        }

        Xt.PrintValueMask(output, Mark, Mask);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert)
        {
            output.Append(" !");
        }

        output.Append(" --mark");
        Xt.PrintValueMask(output, Mark, Mask);
    }

    private sealed class ConnmarkExtension : MatchExtension
    {
        public ConnmarkExtension()
            : base("connmark", [MarkValueParser.Option])
        {
        }

        public override string Help =>
            "connmark match options:\n" +
            "[!] --mark value[/mask]    Match ctmark value with optional mask\n";

        public override MatchParser CreateParser() => new MarkValueParser(static (mark, mask, invert) => new ConnmarkMatch(mark, mask, invert));
    }
}
