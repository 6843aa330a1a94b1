using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>mark</c> match: the packet's netfilter mark, under a mask.</summary>
/// <remarks>
/// The kernel's <c>struct xt_mark_mtinfo1</c> (xt_mark, revision 1) and iptables' libxt_mark: listed as
/// <c>mark match 0x1/0xff</c>, the mask omitted when it is 0xffffffff.
/// </remarks>
public sealed record MarkMatch(uint Mark, uint Mask, bool Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("mark", 1);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new MarkExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_mark's <c>mark_mt()</c>: the packet mark under the mask equals the value.</remarks>
    public override bool Match(PacketContext context, object? state) =>
        ((context.Packet.Mark & Mask) == Mark) ^ Invert;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" mark match");
        if (Invert)
        {
            output.Append(" !");
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

    private sealed class MarkExtension : MatchExtension
    {
        public MarkExtension()
            : base("mark", [MarkValueParser.Option])
        {
        }

        public override string Help =>
            "mark match options:\n" +
            "[!] --mark value[/mask]    Match nfmark value with optional mask\n";

        public override MatchParser CreateParser() => new MarkValueParser(static (mark, mask, invert) => new MarkMatch(mark, mask, invert));
    }
}
