using System.Collections.Immutable;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.Parsing;

/// <summary>A rule line as <see cref="RuleLineParser"/> read it: an <c>-A</c> command for one rule.</summary>
/// <param name="Chain">The chain appended to.</param>
/// <param name="JumpTo">The target's name (empty without <c>-j</c>/<c>-g</c>).</param>
/// <param name="Goto">Whether the target came with <c>-g</c>.</param>
/// <param name="Target">The verdict or target extension; null when <paramref name="JumpTo"/> must name a chain.</param>
/// <param name="Matches">The matches.</param>
/// <param name="Ip">The IP part, without its flags.</param>
/// <param name="InvFlags">The IP part's inversions.</param>
/// <param name="Packets">The packet counter (<c>-c</c>), else 0.</param>
/// <param name="Bytes">The byte counter (<c>-c</c>), else 0.</param>
/// <param name="BodyStart">Where the rule's save form (from <c>-A</c>) starts in the line.</param>
/// <param name="BodyLength">Its length, without the newline.</param>
/// <param name="Canonical">
/// Whether that text is iptables-save's form of the rule (see <see cref="RuleLineParser"/>) once the addresses
/// at <paramref name="SourceText"/> and <paramref name="DestinationText"/> are written as iptables-save writes them.
/// </param>
/// <param name="SourceText">Where the source address is in the line when iptables-save writes it otherwise, else default.</param>
/// <param name="DestinationText">The same for the destination address.</param>
internal readonly record struct RuleLine(
    string Chain,
    string JumpTo,
    bool Goto,
    TargetInfo? Target,
    ImmutableArray<MatchInfo> Matches,
    IpHeaderMatch Ip,
    IpInvFlags InvFlags,
    ulong Packets,
    ulong Bytes,
    int BodyStart,
    int BodyLength,
    bool Canonical,
    Range SourceText,
    Range DestinationText)
{
    /// <summary>Whether the line's text from <c>-A</c> is iptables-save's form as it is.</summary>
    public bool Verbatim => Canonical && SourceText.Equals(default(Range)) && DestinationText.Equals(default(Range));

    /// <summary>The rule, with <paramref name="target"/> (the resolved one when <see cref="Target"/> is null).</summary>
    public Rule ToRule(TargetInfo target) =>
        new(Ip with { Flags = Goto ? IpFlags.Goto : IpFlags.None, InvFlags = InvFlags }, Matches, target,
            new CounterCell(Packets, Bytes));
}
