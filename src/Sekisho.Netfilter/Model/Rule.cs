using System.Collections.Immutable;
using Sekisho.Netfilter.Extensions;

namespace Sekisho.Netfilter.Model;

/// <summary>A rule: IP header match, extension matches, target, and its counters.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_entry</c>. The specification is immutable; the counters live in a
/// <see cref="CounterCell"/> that survives ruleset changes which keep the rule.
/// </remarks>
public sealed class Rule
{
    /// <summary>Creates a rule.</summary>
    public Rule(IpHeaderMatch ip, ImmutableArray<MatchInfo> matches, TargetInfo target, CounterCell? counters = null)
    {
        Ip = ip;
        Matches = matches.IsDefault ? ImmutableArray<MatchInfo>.Empty : matches;
        Target = target;
        Counters = counters ?? new CounterCell();
    }

    /// <summary>The IP part.</summary>
    public IpHeaderMatch Ip { get; }

    /// <summary>The extension matches, in order.</summary>
    public ImmutableArray<MatchInfo> Matches { get; }

    /// <summary>The target.</summary>
    public TargetInfo Target { get; }

    /// <summary>Packet and byte counters.</summary>
    public CounterCell Counters { get; }

    /// <summary>Whether the target is a goto (<c>-g</c>).</summary>
    public bool IsGoto => (Ip.Flags & IpFlags.Goto) != 0;

    /// <summary>The same rule counting into another cell.</summary>
    public Rule WithCounters(CounterCell counters) => new(Ip, Matches, Target, counters);

    /// <summary>The same rule with another target (a renamed chain, for instance).</summary>
    public Rule WithTarget(TargetInfo target) => new(Ip, Matches, target, Counters);

    /// <summary>
    /// Whether two rules are the same rule for <c>-D</c> and <c>-C</c>: equal IP part, equal matches in the
    /// same order, equal target (libiptc's <c>is_same</c> and <c>target_same</c>); counters do not count.
    /// </summary>
    public bool SameAs(Rule other)
    {
        if (!Ip.Equals(other.Ip) || Matches.Length != other.Matches.Length || !Target.Equals(other.Target))
        {
            return false;
        }

        for (int i = 0; i < Matches.Length; i++)
        {
            if (!Matches[i].Equals(other.Matches[i]))
            {
                return false;
            }
        }

        return true;
    }
}
