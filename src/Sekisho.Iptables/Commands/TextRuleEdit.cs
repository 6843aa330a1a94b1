using System.Text;
using Sekisho.Iptables.Output;
using Sekisho.Iptables.Parsing;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>
/// -A, -I, -D and -C on the state file's lines, for the common case where nothing but the chain's own lines matter.
/// </summary>
/// <remarks>
/// <para>libiptc reads the whole table, changes it and hands all of it back to the kernel; Sekisho, without a kernel,
/// would parse every rule of the state file and print every rule again. For a rule command that needs neither —
/// the new rule does not jump to a chain (no loop can appear), it passes the kernel's checks from every hook its
/// chain could be reached from, and the rule to delete or check is found — the state file's text (see
/// <see cref="RulesetText"/>) is changed in place: the rule is printed in the file's form and its line is added or
/// removed. Rules are compared in their exact saved form, which holds everything the kernel compares.</para>
/// <para>Every other case (verbose output, jumps, a rule the checks refuse, a rule not found, a missing chain or
/// table, a file whose checksum does not hold) returns null, and the command takes the general path, which gives
/// iptables' own errors.</para>
/// </remarks>
internal static class TextRuleEdit
{
    private const CommandKind Supported = CommandKind.Append | CommandKind.Insert | CommandKind.Delete |
                                          CommandKind.Check | CommandKind.DeleteNum;

    /// <summary>Performs the command on the state file's text; its exit status, or null to take the general path.</summary>
    public static int? TryRun(ParsedCommand cmd, StateDirectory directory, INameService names)
    {
        if ((cmd.Command & Supported) == 0 || System.Numerics.BitOperations.PopCount((uint)cmd.Command) != 1 ||
            cmd.Verbose > 0 || (cmd.Options & OptionFlags.Verbose) != 0 ||
            directory.Text() is not { } text || text.Find(cmd.Table) is not { } table ||
            table.Find(cmd.Chain ?? string.Empty) is not { } chain)
        {
            return null;
        }

        if (cmd.Command == CommandKind.DeleteNum)
        {
            int index = (int)cmd.RuleNumber - 1;
            if (index < 0 || index >= chain.Count)
            {
                return null;
            }

            directory.WriteText(Splice(text, table, chain.RuleStart(index), chain.RuleEnd(index), default));
            return 0;
        }

        if (ResolveTarget(cmd, table) is not { } target)
        {
            return null;
        }

        var rules = RuleBuilder.Expand(cmd, target);
        if ((rules.Count != 1 && cmd.Command != CommandKind.Append) || rules.Any(NeedsGeneralPath))
        {
            return null;
        }

        var saver = new RuleSaver(names);
        switch (cmd.Command)
        {
            case CommandKind.Append:
            case CommandKind.Insert:
            {
                var definition = TableDefinition.Find(table.Name)!;
                HookMask hooks = chain.Builtin && TableDefinition.HookOf(chain.Name) is { } hook
                    ? (HookMask)(1 << (int)hook)
                    : definition.Hooks;
                if (!rules.All(rule => TableValidator.CheckRule(table.Name, hooks, rule)))
                {
                    return null;
                }

                int position;
                if (cmd.Command == CommandKind.Append)
                {
                    position = chain.End;
                }
                else
                {
                    int index = (int)cmd.RuleNumber - 1;
                    if (index < 0 || index > chain.Count)
                    {
                        return null;
                    }

                    position = index == chain.Count ? chain.End : chain.RuleStart(index);
                }

                var lines = new StringBuilder(256 * rules.Count);
                var scratch = new StringBuilder(256);
                foreach (var rule in rules)
                {
                    SaveCommand.AppendStateRule(lines, scratch, saver, rule, chain.Name);
                }

                directory.WriteText(Splice(text, table, position, position, Encoding.UTF8.GetBytes(lines.ToString())));
                return 0;
            }

            default:
            {
                var line = new StringBuilder(256);
                saver.SaveRule(line, rules[0], chain.Name, RuleSaver.CounterStyle.None, exactInterfaces: true);
                byte[] wanted = Encoding.UTF8.GetBytes(line.ToString());
                int found = Find(text, chain, wanted);
                if (found < 0)
                {
                    return null;
                }

                if (cmd.Command == CommandKind.Delete)
                {
                    directory.WriteText(Splice(text, table, chain.RuleStart(found), chain.RuleEnd(found), default));
                }

                return 0;
            }
        }
    }

    /// <summary>The target when it is a verdict or an extension; null for a chain (a jump) or a name to report.</summary>
    private static TargetInfo? ResolveTarget(ParsedCommand cmd, TableText table)
    {
        if (cmd.JumpTo.Length != 0 && table.Find(cmd.JumpTo) != null)
        {
            return null;
        }

        if (cmd.TargetIsExtension && cmd.Target != null)
        {
            return cmd.Target;
        }

        return cmd.JumpTo.Length == 0 ? VerdictTarget.Continue : null;
    }

    /// <summary>Rules whose check involves more than the rule: hashlimit's table list, matches stored in another form.</summary>
    private static bool NeedsGeneralPath(Rule rule) =>
        rule.Matches.Any(match => match is HashlimitMatch || !ReferenceEquals(match.Stored, match));

    /// <summary>The index of the first rule of the chain whose exact form (after its counters) is <paramref name="wanted"/>.</summary>
    private static int Find(RulesetText text, ChainText chain, byte[] wanted)
    {
        var content = text.Content;
        for (int i = 0; i < chain.Count; i++)
        {
            int end = chain.RuleEnd(i);
            int lineStart = content.AsSpan(0, end - 1).LastIndexOf((byte)'\n') + 1;
            var line = content.AsSpan(lineStart, end - lineStart);
            int body = line.IndexOf("] "u8);
            if (body >= 0 && line[(body + 2)..].SequenceEqual(wanted))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The file with bytes <paramref name="start"/> to <paramref name="end"/> of a table replaced, checksum renewed.
    /// </summary>
    /// <remarks>
    /// As <see cref="Libiptc.TableHandle.PrepareCommit"/> explains, iptables-legacy does not carry policy counters
    /// across a commit: the table's built-in chains are written back with <c>[0:0]</c>.
    /// </remarks>
    private static byte[] Splice(RulesetText text, TableText table, int start, int end, ReadOnlySpan<byte> insert)
    {
        var content = text.Content;
        var body = new MemoryStream(content.Length + insert.Length);
        body.Write(content, text.BodyStart, table.Start - text.BodyStart);
        int position = table.Start;
        RulesetText.NextLine(content, ref position, out _, out _);
        body.Write(content, table.Start, position - table.Start);
        while (position < table.RulesStart)
        {
            RulesetText.NextLine(content, ref position, out int lineStart, out int lineEnd);
            var line = content.AsSpan(lineStart, lineEnd - lineStart);
            int counters = line.LastIndexOf((byte)'[');
            if (counters > 0 && line[..counters].IndexOf(" - "u8) < 0)
            {
                body.Write(line[..counters]);
                body.Write("[0:0]\n"u8);
            }
            else
            {
                body.Write(content, lineStart, position - lineStart);
            }
        }

        body.Write(content, table.RulesStart, start - table.RulesStart);
        body.Write(insert);
        body.Write(content, end, content.Length - end);
        return RulesetText.Compose(body.GetBuffer().AsSpan(0, (int)body.Length));
    }
}
