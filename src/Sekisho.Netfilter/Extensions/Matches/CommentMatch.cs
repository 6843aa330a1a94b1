using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>comment</c> match: a note attached to a rule; it always matches.</summary>
/// <remarks>
/// The kernel's <c>struct xt_comment_info</c> (xt_comment, revision 0): a 256-byte buffer, so iptables keeps at
/// most 255 bytes of the text. Listed as <c>/* text */</c>, saved quoted when needed.
/// </remarks>
public sealed record CommentMatch(string Comment) : MatchInfo
{
    /// <summary>Room for the text in <c>struct xt_comment_info</c>, including the terminating NUL.</summary>
    public const int CommentSize = 256;

    private static readonly XtModule s_module = new("comment", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new CommentExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_comment's <c>comment_mt()</c>: always matches.</remarks>
    public override bool Match(PacketContext context, object? state) => true;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(" /* ").Append(Comment).Append(" */");

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" --comment");
        Xt.SaveString(output, Comment);
    }

    private sealed class CommentExtension : MatchExtension
    {
        public CommentExtension()
            : base("comment",
            [
                new XtOption("comment", 0, XtOptionType.String, XtOptionFlags.Mandatory | XtOptionFlags.Put)
                {
                    Size = CommentSize,
                },
            ])
        {
        }

        public override string Help =>
            "comment match options:\n" +
            "--comment COMMENT             Attach a comment to a rule\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private string _comment = string.Empty;

        public override void Parse(OptionCall call) => _comment = Xt.FitString(call.Arg, CommentSize);

        public override MatchInfo Build() => new CommentMatch(_comment);
    }
}
