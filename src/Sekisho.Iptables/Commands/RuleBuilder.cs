using System.Collections.Immutable;
using Sekisho.Iptables.Libiptc;
using Sekisho.Iptables.Parsing;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>Turns a parsed rule command into rules, deciding between chain and target as iptables does.</summary>
/// <remarks>
/// The part of <c>do_command4()</c> that runs once the table is open: a target name that is an existing chain
/// becomes a jump (with a warning if an extension of that name exists); an unknown name is an error; then one
/// rule per source/destination combination, in source-major order.
/// </remarks>
internal static class RuleBuilder
{
    /// <summary>Resolves the target of a parsed command against the table's chains.</summary>
    public static TargetInfo ResolveTarget(ParsedCommand cmd, TableHandle handle, TextWriter stderr)
    {
        var target = cmd.Target;
        bool isExtension = cmd.TargetIsExtension;
        if (isExtension && target is not VerdictTarget && handle.IsChain(cmd.JumpTo))
        {
            stderr.Write($"Warning: using chain {cmd.JumpTo}, not extension\n");
            isExtension = false;
            target = null;
        }

        if (isExtension && target != null)
        {
            return target;
        }

        if (cmd.JumpTo.Length == 0)
        {
            return VerdictTarget.Continue;
        }

        if (handle.IsChain(cmd.JumpTo))
        {
            return new JumpTarget(cmd.JumpTo);
        }

        if (cmd.Goto)
        {
            throw XtablesException.Parameter($"goto '{cmd.JumpTo}' is not a chain");
        }

        throw XtablesException.Parameter($"Couldn't load target `{cmd.JumpTo}':No such file or directory\n");
    }

    /// <summary>The rules of a command: one per source and destination pair.</summary>
    public static List<Rule> Expand(ParsedCommand cmd, TargetInfo target)
    {
        var rules = new List<Rule>(cmd.Sources.Count * cmd.Destinations.Count);
        var matches = ImmutableArray.Create(cmd.Matches.ToArray());
        foreach (var (source, sourceMask) in cmd.Sources)
        {
            foreach (var (destination, destinationMask) in cmd.Destinations)
            {
                var ip = cmd.Ip with
                {
                    Source = source,
                    SourceMask = sourceMask,
                    Destination = destination,
                    DestinationMask = destinationMask,
                };
                rules.Add(new Rule(ip, matches, target, new CounterCell(cmd.PacketCounter, cmd.ByteCounter)));
            }
        }

        return rules;
    }
}
