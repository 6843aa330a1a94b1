using System.Globalization;
using System.Text;
using Sekisho.Iptables.Output;
using Sekisho.Iptables.Parsing;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>The <c>iptables-save</c> command.</summary>
/// <remarks>
/// iptables-legacy's <c>do_iptables_save()</c>: every table the kernel has (newest first, as
/// <c>/proc/net/ip_tables_names</c> lists them) or the one given with <c>-t</c>; chain lines with policies and
/// counters, then the rules, with <c>[pkts:bytes]</c> prefixes under <c>-c</c>.
/// </remarks>
public sealed class SaveCommand
{
    private static readonly LongOption[] s_options =
    [
        new("counters", ArgumentKind.None, 'c'),
        new("dump", ArgumentKind.None, 'd'),
        new("table", ArgumentKind.Required, 't'),
        new("modprobe", ArgumentKind.Required, 'M'),
        new("file", ArgumentKind.Required, 'f'),
        new("version", ArgumentKind.None, 'V'),
    ];

    private readonly IRulesetStore _store;
    private readonly INameService _names;
    private readonly TimeProvider _time;

    /// <summary>Creates the command over a store.</summary>
    public SaveCommand(IRulesetStore store, INameService names, TimeProvider? time = null)
    {
        _store = store;
        _names = names;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// The directory a relative <c>-f</c> file is resolved against (the client's, when the daemon runs the command);
    /// null for the process's own.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Runs <c>iptables-save</c> with <paramref name="args"/>.</summary>
    public int Run(IReadOnlyList<string> args, ToolOutput output)
    {
        const string program = "iptables-save";
        var argv = new List<string>(args.Count + 1) { program };
        argv.AddRange(args);
        bool counters = false;
        string? table = null;
        string? file = null;
        try
        {
            var getopt = new GetoptLong(argv, output.Stderr);
            int c;
            while ((c = getopt.Next("bcdt:M:f:V", s_options)) != -1)
            {
                switch (c)
                {
                    case 'b':
                        output.Stderr.Write("-b/--binary option is not implemented\n");
                        break;
                    case 'c':
                        counters = true;
                        break;
                    case 't':
                        table = getopt.OptArg;
                        break;
                    case 'M':
                        break;
                    case 'f':
                        file = getopt.OptArg;
                        break;
                    case 'd':
                        return Output(table, counters, file, output);
                    case 'V':
                        output.Stdout.Write("iptables-save v1.8.9 (legacy)\n");
                        return 0;
                    default:
                        output.Stderr.Write("Look at manual page `iptables-save.8' for more information.\n");
                        return 1;
                }
            }

            if (getopt.OptInd < argv.Count)
            {
                output.Stderr.Write("Unknown arguments found on commandline\n");
                return 1;
            }

            return Output(table, counters, file, output);
        }
        catch (XtablesException error)
        {
            return output.Report(error, program);
        }
    }

    private int Output(string? tableName, bool counters, string? file, ToolOutput output)
    {
        if (_store is StateDirectory directory && directory.Text() is { } text &&
            (tableName == null || text.Find(tableName) != null))
        {
            // The state file's lines are iptables-save's own: print them without parsing a rule.
            var sections = tableName == null ? text.Tables.Reverse().ToList() : [text.Find(tableName)!];
            return Emit(file, output, writer => DumpText(writer, text, sections, counters));
        }

        // Resolve the tables first: a failure must not leave a partial output behind.
        IEnumerable<Table> tables;
        if (tableName == null)
        {
            tables = _store.Load().TablesNewestFirst;
        }
        else
        {
            tables = [_store.OpenTable(tableName)
                ?? throw XtablesException.Other("Cannot initialize: Table does not exist (do you need to insmod?)")];
        }

        return Emit(file, output, writer => Dump(writer, tables, counters));
    }

    private int Emit(string? file, ToolOutput output, Action<TextWriter> dump)
    {
        if (file != null)
        {
            try
            {
                AtomicFile.Write(WorkingDirectory == null ? file : Path.Combine(WorkingDirectory, file), stream =>
                {
                    using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
                    dump(writer);
                });
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                output.Stderr.Write($"Failed to open file, error: {Errors.Describe(ex)}\n");
                return 1;
            }

            return 0;
        }

        dump(output.Stdout);
        return 0;
    }

    private void DumpText(TextWriter writer, RulesetText text, IReadOnlyList<TableText> tables, bool counters)
    {
        byte[] content = text.Content;
        char[] chars = new char[4096];
        foreach (var table in tables)
        {
            writer.Write("# Generated by iptables-save v1.8.9 on ");
            writer.Write(CTime(_time.GetLocalNow()));
            writer.Write('\n');
            int position = table.Start;
            int saveForm = -1;
            while (position < table.End)
            {
                RulesetText.NextLine(content, ref position, out int start, out int end);
                var line = content.AsSpan(start, end - start);
                if (line.StartsWith("#save "u8))
                {
                    saveForm = start + RulesetText.SaveFormPrefix.Length;
                    continue;
                }

                if (line.Length > 0 && line[0] == (byte)'[')
                {
                    int body = line.IndexOf("] "u8) + 2;
                    if (counters)
                    {
                        WriteBytes(writer, line[..body], ref chars);
                    }

                    line = saveForm >= 0 ? content.AsSpan(saveForm, start - 1 - saveForm) : line[body..];
                    saveForm = -1;
                }

                WriteBytes(writer, line, ref chars);
                writer.Write('\n');
            }

            writer.Write("# Completed on ");
            writer.Write(CTime(_time.GetLocalNow()));
            writer.Write('\n');
        }
    }

    private static void WriteBytes(TextWriter writer, ReadOnlySpan<byte> bytes, ref char[] chars)
    {
        if (chars.Length < bytes.Length)
        {
            chars = new char[bytes.Length * 2];
        }

        int count = Encoding.UTF8.GetChars(bytes, chars);
        writer.Write(chars.AsSpan(0, count));
    }

    private void Dump(TextWriter writer, IEnumerable<Table> tables, bool counters)
    {
        var saver = new RuleSaver(_names);
        var style = counters ? RuleSaver.CounterStyle.Prefix : RuleSaver.CounterStyle.None;
        foreach (var table in tables)
        {
            writer.Write("# Generated by iptables-save v1.8.9 on ");
            writer.Write(CTime(_time.GetLocalNow()));
            writer.Write('\n');
            Write(writer, table, style, saver, false);
            writer.Write("# Completed on ");
            writer.Write(CTime(_time.GetLocalNow()));
            writer.Write('\n');
        }
    }

    /// <summary>
    /// Writes the <c>*table</c> ... <c>COMMIT</c> block of a table, one rule at a time (a 100,000-rule table is
    /// never held as one string).
    /// </summary>
    internal static void Write(TextWriter writer, Table table, RuleSaver.CounterStyle counters, RuleSaver saver, bool exactInterfaces)
    {
        var output = new StringBuilder(256);
        AppendHeader(output, table);
        writer.Write(output);
        var plain = exactInterfaces ? new StringBuilder(256) : null;
        foreach (var chain in table.Chains)
        {
            foreach (var rule in chain.Rules)
            {
                output.Clear();
                if (plain != null && counters == RuleSaver.CounterStyle.Prefix)
                {
                    AppendStateRule(output, plain, saver, rule, chain.Name);
                }
                else
                {
                    saver.SaveRule(output, rule, chain.Name, counters, exactInterfaces);
                }

                writer.Write(output);
            }
        }

        writer.Write("COMMIT\n");
    }

    /// <summary>Appends the <c>*table</c> line and the chain lines with their policies and policy counters.</summary>
    internal static void AppendHeader(StringBuilder output, Table table)
    {
        output.Append('*').Append(table.Name).Append('\n');
        foreach (var chain in table.Chains)
        {
            output.Append(':').Append(chain.Name).Append(' ');
            if (chain.Policy is { } policy)
            {
                output.Append(Netfilter.Extensions.VerdictTarget.NameOf(policy)).Append(' ')
                    .Append(CultureInfo.InvariantCulture, $"[{chain.PolicyCounters.Packets}:{chain.PolicyCounters.Bytes}]\n");
            }
            else
            {
                output.Append("- [0:0]\n");
            }
        }
    }

    /// <summary>
    /// Appends a rule as the state file holds it: its exact form with counters, behind a <c>#save</c> line with
    /// iptables-save's form where the two differ (see <see cref="RulesetText"/>).
    /// </summary>
    internal static void AppendStateRule(StringBuilder output, StringBuilder scratch, RuleSaver saver, Rule rule, string chain)
    {
        int start = output.Length;
        saver.SaveRule(output, rule, chain, RuleSaver.CounterStyle.Prefix, exactInterfaces: true);
        scratch.Clear();
        saver.SaveRule(scratch, rule, chain, RuleSaver.CounterStyle.None);
        if (!Same(output, start + IndexOfBody(output, start), scratch))
        {
            output.Insert(start, RulesetText.SaveFormPrefix + scratch.ToString());
        }
    }

    private static int IndexOfBody(StringBuilder line, int start)
    {
        for (int i = start; i < line.Length; i++)
        {
            if (line[i] == ']')
            {
                return i + 2 - start;
            }
        }

        return 0;
    }

    private static bool Same(StringBuilder line, int start, StringBuilder other)
    {
        if (line.Length - start != other.Length)
        {
            return false;
        }

        for (int i = 0; i < other.Length; i++)
        {
            if (line[start + i] != other[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>C's <c>ctime()</c> without the newline: "Sun Nov 22 03:47:55 2026".</summary>
    internal static string CTime(DateTimeOffset time) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{time:ddd} {time:MMM} {time.Day,2} {time:HH}:{time:mm}:{time:ss} {time.Year}");
}
