using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Classifier;

/// <summary>What of a compiled entry the classifier may use to skip it.</summary>
/// <remarks>
/// <para>
/// <c>ipt_do_table</c> checks the IP part first (addresses, interfaces, protocol, fragment flag) and then the
/// matches in the rule's order, stopping at the first that says no. A criterion may therefore skip a rule when
/// every check before it is free of side effects: the IP part always is; a <c>tcp</c> or <c>udp</c> match's ports
/// only when each match before it in the rule is one of the pure matches listed here (no state changed, no hot
/// drop). Anything else (an inverted address or protocol, a port criterion behind <c>limit</c>, <c>recent</c>,
/// <c>statistic</c>, <c>hashlimit</c>, <c>connlimit</c> or an unknown match) is a wildcard: the rule stays a
/// candidate and the walk checks it exactly.
/// </para>
/// <para>
/// The classifier is used only for packets whose ports are readable (first fragment, TCP header of 20 bytes or
/// UDP header of 8), so the <c>tcp</c>/<c>udp</c> match's own hot drops (short header, fragment offset 1) cannot be
/// skipped; other packets take the linear walk.
/// </para>
/// </remarks>
internal static class EntryBoxes
{
    /// <summary>The box of a rule entry, with <paramref name="priority"/>.</summary>
    internal static RuleBox Of(CompiledEntry entry, int priority)
    {
        var box = RuleBox.Any(priority);
        var inv = entry.InvFlags;
        if ((inv & IpInvFlags.Source) == 0)
        {
            box.SourceMask = RuleBox.PrefixMask(RuleBox.PrefixLength(entry.SourceMask));
            box.Source = entry.Source & box.SourceMask;
        }

        if ((inv & IpInvFlags.Destination) == 0)
        {
            box.DestinationMask = RuleBox.PrefixMask(RuleBox.PrefixLength(entry.DestinationMask));
            box.Destination = entry.Destination & box.DestinationMask;
        }

        if (entry.Protocol != 0 && (inv & IpInvFlags.Protocol) == 0)
        {
            box.Protocol = entry.Protocol;
            box.ProtocolMask = 0xFF;
        }

        foreach (var match in entry.MatchList)
        {
            switch (match)
            {
                case TcpMatch tcp when box.Protocol == 6:
                    SetPorts(ref box, tcp.SourcePortMin, tcp.SourcePortMax, (tcp.Invert & TcpMatch.Inversions.SourcePorts) != 0,
                        tcp.DestinationPortMin, tcp.DestinationPortMax, (tcp.Invert & TcpMatch.Inversions.DestinationPorts) != 0);
                    return box;
                case UdpMatch udp when box.Protocol == 17:
                    SetPorts(ref box, udp.SourcePortMin, udp.SourcePortMax, (udp.Invert & UdpMatch.Inversions.SourcePorts) != 0,
                        udp.DestinationPortMin, udp.DestinationPortMax, (udp.Invert & UdpMatch.Inversions.DestinationPorts) != 0);
                    return box;
                default:
                    if (!IsPure(match))
                    {
                        return box;
                    }

                    break;
            }
        }

        return box;
    }

    // Matches that change nothing and never drop the packet themselves, given the classifier's packets (readable ports).
    private static bool IsPure(MatchInfo match) => match is CommentMatch or MarkMatch or ConnmarkMatch or ConntrackMatch
        or TosMatch or DscpMatch or TtlMatch or LengthMatch or PkttypeMatch or MacMatch or IprangeMatch
        or AddrtypeMatch or MultiportMatch;

    private static void SetPorts(ref RuleBox box, ushort sourceMin, ushort sourceMax, bool sourceInverted,
        ushort destinationMin, ushort destinationMax, bool destinationInverted)
    {
        if (!sourceInverted && sourceMin <= sourceMax)
        {
            box.SourcePortMin = sourceMin;
            box.SourcePortMax = sourceMax;
        }

        if (!destinationInverted && destinationMin <= destinationMax)
        {
            box.DestinationPortMin = destinationMin;
            box.DestinationPortMax = destinationMax;
        }
    }
}
