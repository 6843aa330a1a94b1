using System.Text;
using Sekisho.Iptables.Libiptc;
using Sekisho.Iptables.Parsing;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>The line loop of iptables-restore.</summary>
internal sealed class RestoreEngine
{
    private const string Program = "iptables-restore";

    private readonly IRulesetStore _store;
    private readonly INameService _names;
    private readonly RestoreOptions _options;
    private readonly TextWriter _stdout;
    private readonly TextWriter _stderr;
    private readonly RestoreTokenizer _tokenizer = new();
    private readonly List<string> _argv = new(32);
    private readonly StringBuilder _output = new();
    private readonly RuleLineParser _lineParser = new();
    private CommandParser? _parser;
    private RuleTexts? _texts;

    public RestoreEngine(IRulesetStore store, INameService names, RestoreOptions options, TextWriter stdout, TextWriter stderr)
    {
        _store = store;
        _names = names;
        _options = options;
        _stdout = stdout;
        _stderr = stderr;
    }

    /// <summary>Processes the input; <paramref name="line"/> tracks the current line for error messages.</summary>
    public int Run(CLineReader reader, ref int line)
    {
        TableHandle? handle = null;
        IDisposable? tableLock = null;
        bool inTable = false;
        string curTable = string.Empty;
        var environment = new ParseEnvironment(_names, _stderr);

        // Rule lines iptables-save wrote go through RuleLineParser, and their text into the state file as it is.
        // Under -v (without --noflush) every rule is listed, which only the general path does.
        bool shortcut = _options.Shortcut && (_options.NoFlush || _options.Verbose == 0);
        _texts = _store is StateDirectory ? new RuleTexts(reader.Data, reader.Length) : null;
        try
        {
            string? buffer;
            while (true)
            {
                if (inTable && shortcut && TryRunShortcut(handle!, reader, curTable) is { } done)
                {
                    line++;
                    if (!done)
                    {
                        _stderr.Write($"{Program}: line {line} failed\n");
                        return 1;
                    }

                    continue;
                }

                if ((buffer = reader.ReadLine()) == null)
                {
                    break;
                }

                bool ret = false;
                line++;
                if (buffer.StartsWith('\n'))
                {
                    continue;
                }

                if (buffer.StartsWith('#'))
                {
                    if (_options.Verbose > 0)
                    {
                        _stdout.Write(buffer);
                    }

                    continue;
                }

                if (buffer == "COMMIT\n" && inTable)
                {
                    if (!_options.Test && handle!.Changed)
                    {
                        int rc = _store is StateDirectory directory && _texts != null
                            ? directory.ReplaceTable(handle.PrepareCommit(), _texts)
                            : _store.ReplaceTable(handle.PrepareCommit());
                        ret = rc == Errno.Ok;
                    }
                    else
                    {
                        ret = true;
                    }

                    handle = null;
                    _texts?.Clear();
                    tableLock?.Dispose();
                    tableLock = null;
                    inTable = false;
                }
                else if (buffer.StartsWith('*') && !inTable)
                {
                    tableLock = _store.Lock(_options.Wait);
                    string? table = FirstToken(buffer, 1, out _);
                    if (table == null)
                    {
                        throw XtablesException.Parameter($"{Program}: line {line} table name invalid");
                    }

                    curTable = table.Length > Xt.TableMaxNameLength ? table[..Xt.TableMaxNameLength] : table;
                    if (_options.Table != null && _options.Table != table)
                    {
                        tableLock.Dispose();
                        tableLock = null;
                        continue;
                    }

                    // Without --noflush the old rules go at once: the state file's chain lines are all it needs.
                    var opened = (!_options.NoFlush && _store is StateDirectory directory ? directory.OpenChainsOnly(table) : null)
                        ?? _store.OpenTable(table)
                        ?? throw XtablesException.Parameter($"{Program}: unable to initialize table '{table}'");
                    handle = new TableHandle(opened);
                    if (!_options.NoFlush)
                    {
                        foreach (var chain in handle.Table.Chains.ToList())
                        {
                            if (_options.Verbose > 0)
                            {
                                _stdout.Write($"Flushing chain `{chain.Name}'\n");
                            }

                            handle.Flush(chain.Name);
                        }

                        foreach (var chain in handle.Table.Chains.Where(c => !c.IsBuiltin).ToList())
                        {
                            if (_options.Verbose > 0)
                            {
                                _stdout.Write($"Deleting chain `{chain.Name}'\n");
                            }

                            handle.DeleteChain(chain.Name);
                        }
                    }

                    ret = true;
                    inTable = true;
                }
                else if (buffer.StartsWith(':') && inTable)
                {
                    ret = DeclareChain(handle!, buffer, line);
                }
                else if (inTable)
                {
                    ret = RunRuleLine(handle!, buffer, curTable, line, environment);
                }

                if (_options.Table != null && _options.Table != curTable)
                {
                    continue;
                }

                if (!ret)
                {
                    _stderr.Write($"{Program}: line {line} failed\n");
                    return 1;
                }
            }

            if (inTable)
            {
                _stderr.Write($"{Program}: COMMIT expected at line {line + 1}\n");
                return 1;
            }

            return 0;
        }
        finally
        {
            tableLock?.Dispose();
        }
    }

    /// <summary>
    /// Runs the next line through <see cref="RuleLineParser"/> when it is a rule line it takes and everything it
    /// names resolves as the general path would resolve it; null (nothing consumed) when the general path must
    /// take the line, else whether the rule was appended.
    /// </summary>
    private bool? TryRunShortcut(TableHandle handle, CLineReader reader, string table)
    {
        var bytes = reader.PeekLine();
        if (bytes.IsEmpty || bytes[0] is (byte)'#' or (byte)'*' or (byte)':' or (byte)'\n' || bytes.SequenceEqual("COMMIT\n"u8) ||
            !_lineParser.TryParse(bytes, table, _options.Counters, out var parsed))
        {
            return null;
        }

        // RuleBuilder.ResolveTarget's decisions, for the cases without a warning or an error.
        TargetInfo target;
        if (parsed.Target is { } known)
        {
            if (known is not VerdictTarget && handle.IsChain(parsed.JumpTo))
            {
                return null;
            }

            target = known;
        }
        else if (parsed.JumpTo.Length == 0)
        {
            target = VerdictTarget.Continue;
        }
        else if (handle.IsChain(parsed.JumpTo))
        {
            target = new JumpTarget(parsed.JumpTo);
        }
        else
        {
            return null;
        }

        int lineStart = reader.Position;
        reader.Skip(bytes.Length);
        var rule = parsed.ToRule(target);
        bool ok = handle.Append(parsed.Chain, rule);
        if (ok && parsed.Canonical && _texts != null)
        {
            if (parsed.Verbatim)
            {
                _texts.AddInput(parsed.Chain, rule, lineStart + parsed.BodyStart, parsed.BodyLength);
            }
            else
            {
                Span<byte> body = stackalloc byte[parsed.BodyLength + 6];
                _texts.Add(parsed.Chain, rule, body[..RuleLineParser.WriteBody(bytes, parsed, body)]);
            }
        }

        return ok;
    }

    private bool DeclareChain(TableHandle handle, string buffer, int line)
    {
        string? chain = FirstToken(buffer, 1, out int next);
        if (chain == null)
        {
            throw XtablesException.Parameter($"{Program}: line {line} chain name invalid");
        }

        if (Xt.CLength(chain) >= Xt.ExtensionMaxNameLength)
        {
            throw XtablesException.Parameter(
                $"Invalid chain name `{chain}' ({Xt.ExtensionMaxNameLength - 1} chars max)");
        }

        if (!handle.IsBuiltin(chain))
        {
            if (_options.NoFlush && handle.IsChain(chain))
            {
                if (!handle.Flush(chain))
                {
                    throw XtablesException.Parameter($"error flushing chain '{chain}':{Errno.StrError(handle.Errno)}");
                }
            }
            else if (!handle.CreateChain(chain))
            {
                throw XtablesException.Parameter($"error creating chain '{chain}':{Errno.StrError(handle.Errno)}");
            }
        }

        string? policy = FirstToken(buffer, next, out next);
        if (policy == null)
        {
            throw XtablesException.Parameter($"{Program}: line {line} policy invalid");
        }

        if (policy != "-")
        {
            CounterCell counters = new();
            if (_options.Counters)
            {
                string? text = FirstToken(buffer, next, out _);
                if (text == null || !TryParseCounters(text, out ulong packets, out ulong bytes))
                {
                    throw XtablesException.Parameter($"invalid policy counters for chain '{chain}'");
                }

                counters = new CounterCell(packets, bytes);
            }

            if (!handle.SetPolicy(chain, policy, counters))
            {
                throw XtablesException.Other(
                    $"Can't set policy `{policy}' on `{chain}' line {line}: {handle.StrError()}");
            }
        }

        return true;
    }

    private bool RunRuleLine(TableHandle handle, string buffer, string table, int line, ParseEnvironment environment)
    {
        var argv = _argv;
        argv.Clear();
        argv.Add(Program);
        argv.Add("-t");
        argv.Add(table);
        if (!_options.NoFlush)
        {
            for (int i = 0; i < _options.Verbose; i++)
            {
                argv.Add("-v");
            }
        }

        int start = RestoreTokenizer.TokenizeCounters(buffer, line, out string? packets, out string? bytes);
        if (_options.Counters && packets != null && bytes != null)
        {
            argv.Add("--set-counters");
            argv.Add(packets);
            argv.Add(bytes);
        }

        _tokenizer.AddParameters(argv, buffer, start);
        _parser ??= new CommandParser(environment, restore: true);
        ParsedCommand cmd;
        try
        {
            if (!FastRuleParser.TryParse(argv, out cmd))
            {
                cmd = _parser.Parse(argv);
            }
        }
        catch (CommandParser.EarlyExit exit)
        {
            _stdout.Write(exit.Output);
            throw new XtablesException(ExitStatus.Ok, string.Empty, XtablesErrorStyle.Raw);
        }

        if (cmd.Ignored)
        {
            return true;
        }

        var stdout = _output.Clear();
        bool ok = IptablesCommand.Execute(cmd, handle, stdout, _stderr, _names);
        if (stdout.Length > 0)
        {
            _stdout.Write(stdout.ToString());
        }

        return ok;
    }

    /// <summary><c>parse_counters()</c>: <c>sscanf(text, "[%llu:%llu]")</c> converting both numbers.</summary>
    internal static bool TryParseCounters(string text, out ulong packets, out ulong bytes)
    {
        packets = 0;
        bytes = 0;
        if (!text.StartsWith('['))
        {
            return false;
        }

        packets = CNumbers.StrToUMax(text, 1, out int end, out _, 10);
        if (end == 1 || end >= text.Length || text[end] != ':')
        {
            return false;
        }

        bytes = CNumbers.StrToUMax(text, end + 1, out int end2, out _, 10);
        return end2 != end + 1;
    }

    /// <summary><c>strtok(s, " \t\n")</c> from <paramref name="start"/>.</summary>
    private static string? FirstToken(string s, int start, out int next)
    {
        int i = start;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n')
        {
            i++;
        }

        if (i >= s.Length)
        {
            next = s.Length;
            return null;
        }

        int j = i;
        while (j < s.Length && s[j] is not (' ' or '\t' or '\n'))
        {
            j++;
        }

        next = j < s.Length ? j + 1 : j;
        return s[i..j];
    }
}
