using System.Text;
using Sekisho.Iptables.Libiptc;
using Sekisho.Iptables.Output;
using Sekisho.Iptables.Parsing;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>The <c>iptables</c> command.</summary>
/// <remarks>
/// iptables-legacy's <c>iptables_main()</c> and <c>do_command4()</c>: parse, take the lock, open the table,
/// perform the command through libiptc's operations, commit if anything changed, and report failures with
/// libiptc's texts (<c>iptables: ... .</c>, exit 1) or xtables' (<c>iptables v1.8.9 (legacy): ...</c>, exit 2).
/// </remarks>
public sealed class IptablesCommand
{
    private readonly IRulesetStore _store;
    private readonly INameService _names;

    /// <summary>Creates the command over a store.</summary>
    public IptablesCommand(IRulesetStore store, INameService names)
    {
        _store = store;
        _names = names;
    }

    /// <summary>Runs <c>iptables</c> with <paramref name="args"/> (without the program name).</summary>
    public int Run(IReadOnlyList<string> args, ToolOutput output)
    {
        var argv = new List<string>(args.Count + 1) { "iptables" };
        argv.AddRange(args);
        try
        {
            var parser = new CommandParser(new ParseEnvironment(_names, output.Stderr));
            ParsedCommand cmd;
            try
            {
                cmd = parser.Parse(argv);
            }
            catch (CommandParser.EarlyExit exit)
            {
                output.Stdout.Write(exit.Output);
                return 0;
            }

            using var tableLock = _store.Lock(cmd.WaitGiven ? cmd.Wait : 0);
            if (_store is StateDirectory directory && TextRuleEdit.TryRun(cmd, directory, _names) is { } status)
            {
                return status;
            }

            var table = _store.OpenTable(cmd.Table);
            if (table == null)
            {
                throw new XtablesException(ExitStatus.VersionProblem,
                    $"can't initialize iptables table `{cmd.Table}': Table does not exist (do you need to insmod?)");
            }

            var handle = new TableHandle(table);
            var stdout = new StringBuilder();
            bool ok = Execute(cmd, handle, stdout, output.Stderr, _names);
            output.Stdout.Write(stdout.ToString());
            if (ok && handle.Changed)
            {
                int rc = _store.ReplaceTable(handle.PrepareCommit());
                if (rc != Errno.Ok)
                {
                    handle.Function = LibiptcFunction.Commit;
                    handle.Errno = rc;
                    ok = false;
                }
            }

            if (!ok)
            {
                string message = handle.StrError();
                output.Stderr.Write(handle.Errno == Errno.EINVAL
                    ? $"iptables: {message}. Run `dmesg' for more information.\n"
                    : $"iptables: {message}.\n");
                return handle.Errno == Errno.EAGAIN ? (int)ExitStatus.ResourceProblem : 1;
            }

            return 0;
        }
        catch (XtablesException error)
        {
            return output.Report(error, "iptables");
        }
    }

    /// <summary>
    /// Performs a parsed command on an open table (<c>do_command4()</c> after <c>iptc_init()</c>); false with
    /// the handle's error set when a libiptc operation failed. Shared with iptables-restore.
    /// </summary>
    internal static bool Execute(ParsedCommand cmd, TableHandle handle, StringBuilder stdout, TextWriter stderr,
        INameService names)
    {
        const CommandKind ruleCommands = CommandKind.Append | CommandKind.Delete | CommandKind.Check |
                                         CommandKind.Insert | CommandKind.Replace;
        bool verbose = (cmd.Options & OptionFlags.Verbose) != 0;
        string chain = cmd.Chain ?? string.Empty;
        if ((cmd.Command & ruleCommands) != 0 && System.Numerics.BitOperations.PopCount((uint)cmd.Command) == 1)
        {
            var target = RuleBuilder.ResolveTarget(cmd, handle, stderr);
            return ExecuteRuleCommand(cmd, handle, RuleBuilder.Expand(cmd, target), chain,
                verbose ? new RuleListing(names) : null, stdout);
        }

        switch (cmd.Command)
        {
            case CommandKind.DeleteNum:
                return handle.DeleteNumber(chain, (int)cmd.RuleNumber - 1);
            case CommandKind.Flush:
                return ForEachChain(handle, cmd.Chain, builtinsToo: true, verbose ? "Flushing" : null, stdout, handle.Flush);
            case CommandKind.Zero:
                return ForEachChain(handle, cmd.Chain, builtinsToo: true, verbose ? "Zeroing" : null, stdout, handle.Zero);
            case CommandKind.ZeroNum:
                return handle.ZeroCounter(chain, cmd.RuleNumber);
            case CommandKind.List:
            case CommandKind.List | CommandKind.Zero:
            case CommandKind.List | CommandKind.ZeroNum:
                if (!new RuleListing(names).List(stdout, handle.Table, cmd.Chain, cmd.RuleNumber, ListFormatOf(cmd)))
                {
                    handle.Errno = Errno.ENOENT;
                    return false;
                }

                return ZeroAfterListing(cmd, handle, chain, verbose, stdout);
            case CommandKind.ListRules:
            case CommandKind.ListRules | CommandKind.Zero:
            case CommandKind.ListRules | CommandKind.ZeroNum:
                return ListRules(stdout, handle, cmd.Chain, cmd.RuleNumber, verbose, names) &&
                       ZeroAfterListing(cmd, handle, chain, verbose, stdout);
            case CommandKind.NewChain:
                return handle.CreateChain(chain);
            case CommandKind.DeleteChain:
                return ForEachChain(handle, cmd.Chain, builtinsToo: false, verbose ? "Deleting" : null, stdout, handle.DeleteChain);
            case CommandKind.RenameChain:
                return handle.RenameChain(chain, cmd.NewName!);
            case CommandKind.SetPolicy:
                return handle.SetPolicy(chain, cmd.Policy!,
                    (cmd.Options & OptionFlags.Counters) != 0 ? new CounterCell(cmd.PacketCounter, cmd.ByteCounter) : null);
            case CommandKind.None:
                return true;
            default:
                throw new XtablesException(ExitStatus.ParameterProblem, string.Empty, XtablesErrorStyle.RawWithHelp);
        }
    }

    private static bool ExecuteRuleCommand(ParsedCommand cmd, TableHandle handle, List<Rule> rules, string chain,
        RuleListing? verbose, StringBuilder stdout)
    {
        bool ret = true;
        switch (cmd.Command)
        {
            case CommandKind.Append:
                foreach (var rule in rules)
                {
                    verbose?.PrintRule(stdout, rule, 0, ListFormat.PrintRule);
                    ret &= handle.Append(chain, rule);
                }

                break;
            case CommandKind.Delete:
            case CommandKind.Check:
                foreach (var rule in rules)
                {
                    verbose?.PrintRule(stdout, rule, 0, ListFormat.PrintRule);
                    ret &= handle.Delete(chain, rule, dryRun: cmd.Command == CommandKind.Check);
                }

                break;
            case CommandKind.Replace:
                verbose?.PrintRule(stdout, rules[0], 0, ListFormat.PrintRule);
                ret = handle.Replace(chain, rules[0], (int)cmd.RuleNumber - 1);
                break;
            case CommandKind.Insert:
                // Each rule goes in at the same position, so the last one ends up first: iptables' order.
                foreach (var rule in rules)
                {
                    verbose?.PrintRule(stdout, rule, 0, ListFormat.PrintRule);
                    ret &= handle.Insert(chain, rule, (int)cmd.RuleNumber - 1);
                }

                break;
        }

        return ret;
    }

    private static bool ZeroAfterListing(ParsedCommand cmd, TableHandle handle, string chain, bool verbose, StringBuilder stdout)
    {
        if ((cmd.Command & CommandKind.Zero) != 0)
        {
            return ForEachChain(handle, cmd.Chain, builtinsToo: true, verbose ? "Zeroing" : null, stdout, handle.Zero);
        }

        if ((cmd.Command & CommandKind.ZeroNum) != 0)
        {
            return handle.ZeroCounter(chain, cmd.RuleNumber);
        }

        return true;
    }

    /// <summary>
    /// iptables' <c>for_each_chain4()</c>: the action on one chain, or on every chain (user chains only unless
    /// <paramref name="builtinsToo"/>), announcing each with "<paramref name="verb"/> chain `name'" under -v.
    /// </summary>
    private static bool ForEachChain(TableHandle handle, string? chainName, bool builtinsToo, string? verb,
        StringBuilder stdout, Func<string, bool> action)
    {
        if (chainName != null)
        {
            Announce(chainName);
            return action(chainName);
        }

        bool all = true;
        foreach (string name in handle.Table.Chains.Select(c => c.Name).ToList())
        {
            if (!builtinsToo && handle.IsBuiltin(name))
            {
                continue;
            }

            Announce(name);
            all &= action(name);
        }

        return all;

        void Announce(string name)
        {
            if (verb != null)
            {
                stdout.Append(verb).Append(" chain `").Append(name).Append("'\n");
            }
        }
    }

    private static ListFormat ListFormatOf(ParsedCommand cmd)
    {
        var format = ListFormat.Options;
        format |= (cmd.Options & OptionFlags.Verbose) == 0 ? ListFormat.NoCounts : ListFormat.Via;
        if ((cmd.Options & OptionFlags.Numeric) != 0)
        {
            format |= ListFormat.Numeric;
        }

        if ((cmd.Options & OptionFlags.Expanded) == 0)
        {
            format |= ListFormat.KiloMegaGiga;
        }

        if ((cmd.Options & OptionFlags.LineNumbers) != 0)
        {
            format |= ListFormat.LineNumbers;
        }

        return format;
    }

    /// <summary><c>list_rules()</c>: <c>-P</c>/<c>-N</c> lines first, then the rules; counters with <c>-v</c>.</summary>
    private static bool ListRules(StringBuilder stdout, TableHandle handle, string? chainName, uint ruleNumber,
        bool counters, INameService names)
    {
        var saver = new RuleSaver(names);
        bool found = false;
        if (ruleNumber == 0)
        {
            foreach (var chain in handle.Table.Chains)
            {
                if (chainName != null && chain.Name != chainName)
                {
                    continue;
                }

                if (chain.Policy is { } policy)
                {
                    stdout.Append("-P ").Append(chain.Name).Append(' ').Append(Netfilter.Extensions.VerdictTarget.NameOf(policy));
                    if (counters)
                    {
                        stdout.Append(" -c ").Append(chain.PolicyCounters.Packets).Append(' ').Append(chain.PolicyCounters.Bytes);
                    }

                    stdout.Append('\n');
                }
                else
                {
                    stdout.Append("-N ").Append(chain.Name).Append('\n');
                }
            }
        }

        foreach (var chain in handle.Table.Chains)
        {
            if (chainName != null && chain.Name != chainName)
            {
                continue;
            }

            uint number = 0;
            foreach (var rule in chain.Rules)
            {
                number++;
                if (ruleNumber == 0 || number == ruleNumber)
                {
                    saver.SaveRule(stdout, rule, chain.Name, counters ? RuleSaver.CounterStyle.Inline : RuleSaver.CounterStyle.None);
                }
            }

            found = true;
        }

        if (!found)
        {
            handle.Errno = Errno.ENOENT;
        }

        return found;
    }
}
