using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>
/// The parser of the matches whose one option is <c>[!] --mark value[/mask]</c> (<c>mark</c> and <c>connmark</c>,
/// <c>mark_mt_parse</c> and <c>connmark_mt_parse</c> in iptables): the value, the mask and the inversion.
/// </summary>
internal sealed class MarkValueParser(Func<uint, uint, bool, MatchInfo> build) : MatchParser
{
    /// <summary>The option both matches declare.</summary>
    public static XtOption Option => new("mark", 0, XtOptionType.MarkMask32, XtOptionFlags.Mandatory | XtOptionFlags.Invert);

    private uint _mark;
    private uint _mask;
    private bool _invert;

    /// <inheritdoc />
    public override void Parse(OptionCall call)
    {
        _invert |= call.Invert;
        _mark = call.Value.Mark;
        _mask = call.Value.Mask;
    }

    /// <inheritdoc />
    public override MatchInfo Build() => build(_mark, _mask, _invert);
}
