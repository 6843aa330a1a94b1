using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Engine;

/// <summary>One entry of a compiled table: a rule, a chain's implicit RETURN, or a built-in chain's policy.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_entry</c> as <c>ipt_do_table</c> walks it: the IP part, the matches with their
/// runtime state, the target, the counters. Entries of a chain are contiguous and followed by the chain's
/// RETURN or policy entry, so "the next entry" is "the next rule".
/// </remarks>
public sealed class CompiledEntry
{
    internal readonly uint Source;
    internal readonly uint SourceMask;
    internal readonly uint Destination;
    internal readonly uint DestinationMask;
    internal readonly InterfaceName InInterface;
    internal readonly InterfaceName OutInterface;
    internal readonly byte Protocol;
    internal readonly IpFlags Flags;
    internal readonly IpInvFlags InvFlags;
    internal readonly MatchInfo[] MatchList;
    internal readonly object?[] MatchStates;
    internal readonly TargetInfo? TargetExtension;
    internal readonly object? TargetState;
    internal readonly CounterCell CounterCell;
    internal EntryAction ActionKind;
    internal uint VerdictValue;
    internal int JumpIndex;

    internal CompiledEntry(Rule? rule, string chain, int ruleNumber, EntryRole role, CounterCell counters,
        MatchInfo[] matches, object?[] matchStates, TargetInfo? target, object? targetState)
    {
        Rule = rule;
        Chain = chain;
        RuleNumber = ruleNumber;
        Role = role;
        CounterCell = counters;
        MatchList = matches;
        MatchStates = matchStates;
        TargetExtension = target;
        TargetState = targetState;
        if (rule is not null)
        {
            var ip = rule.Ip;
            Source = ip.Source.Value;
            SourceMask = ip.SourceMask.Value;
            Destination = ip.Destination.Value;
            DestinationMask = ip.DestinationMask.Value;
            InInterface = ip.InInterface;
            OutInterface = ip.OutInterface;
            Protocol = ip.Protocol;
            Flags = ip.Flags;
            InvFlags = ip.InvFlags;
        }
    }

    /// <summary>The rule, or null for a chain's RETURN or policy entry.</summary>
    public Rule? Rule { get; }

    /// <summary>The chain the entry belongs to.</summary>
    public string Chain { get; }

    /// <summary>The number TRACE gives the entry: the rule's position, or one more than the chain's last rule.</summary>
    public int RuleNumber { get; }

    /// <summary>Rule, RETURN or policy.</summary>
    public EntryRole Role { get; }

    /// <summary>How the target is carried out.</summary>
    public EntryAction Action => ActionKind;

    /// <summary>The verdict of a standard target (<see cref="NfVerdict"/>).</summary>
    public uint Verdict => VerdictValue;

    /// <summary>The index of the first entry of the chain a jump or goto leads to.</summary>
    public int Target => JumpIndex;

    /// <summary>The counters.</summary>
    public CounterCell Counters => CounterCell;
}
