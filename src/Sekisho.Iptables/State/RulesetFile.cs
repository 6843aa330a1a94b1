using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.Output;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.State;

/// <summary>The ruleset file of a state directory: reading and writing.</summary>
/// <remarks>
/// The content is iptables-save <c>-c</c> output of every table, oldest first, after <see cref="StateDirectory.Header"/>
/// and a checksum line (see <see cref="RulesetText"/>).
/// Interfaces are written as stored (iptables-save drops <c>-i +</c>), so that reading a file back gives the
/// same rules. Reading goes through iptables-restore's own parser: a file that restore would refuse is
/// damaged, and is reported with the line and reason.
/// </remarks>
public static class RulesetFile
{
    /// <summary>The file content for a ruleset: header, checksum line, every table in creation order.</summary>
    public static byte[] Serialize(Ruleset ruleset, INameService names) => Serialize(ruleset, names, null);

    /// <summary><see cref="Serialize(Ruleset, INameService)"/> with the rules <paramref name="texts"/> holds written from their text.</summary>
    internal static byte[] Serialize(Ruleset ruleset, INameService names, RuleTexts? texts)
    {
        using var body = new MemoryStream();
        foreach (var table in ruleset.Tables)
        {
            WriteTable(body, table, names, texts);
        }

        return RulesetText.Compose(body.GetBuffer().AsSpan(0, (int)body.Length));
    }

    /// <summary>Writes the file content for a ruleset to a stream.</summary>
    public static void Write(Stream stream, Ruleset ruleset, INameService names) => stream.Write(Serialize(ruleset, names));

    /// <summary>Writes one table's block as the state file holds it (exact forms, counters, <c>#save</c> lines).</summary>
    public static void WriteTable(Stream stream, Table table, INameService names) => WriteTable(stream, table, names, null);

    /// <summary>
    /// <see cref="WriteTable(Stream, Table, INameService)"/>, writing the rules <paramref name="texts"/> holds from
    /// their text (their exact and save forms, which are the same) instead of printing them.
    /// </summary>
    internal static void WriteTable(Stream stream, Table table, INameService names, RuleTexts? texts)
    {
        if (texts is { Count: > 0 })
        {
            StateTableWriter.Write(stream, table, new RuleSaver(names), texts);
            return;
        }

        using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
        SaveCommand.Write(writer, table, RuleSaver.CounterStyle.Prefix, new RuleSaver(names), exactInterfaces: true);
    }

    /// <summary>Reads a ruleset file; throws a clear error naming the file when it is damaged.</summary>
    public static Ruleset Parse(byte[] content, string path, INameService names)
    {
        string firstLine = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 256)).Split('\n')[0];
        if (firstLine != StateDirectory.Header)
        {
            throw Damaged(path, "it does not start with the Sekisho ruleset header");
        }

        var store = new MemoryRulesetStore(validate: false);
        var options = new RestoreOptions { Counters = true };
        var errors = new StringWriter();
        var engine = new RestoreEngine(store, names, options, TextWriter.Null, errors);
        int line = 0;
        int rc;
        try
        {
            using var stream = new MemoryStream(content, writable: false);
            rc = engine.Run(new CLineReader(stream, int.MaxValue), ref line);
        }
        catch (XtablesException error)
        {
            throw Damaged(path, $"line {line}: {error.Message.Trim()}");
        }

        if (rc != 0)
        {
            throw Damaged(path, errors.ToString().Trim());
        }

        return store.Ruleset;
    }

    private static XtablesException Damaged(string path, string reason) =>
        new(ExitStatus.OtherProblem,
            $"sekisho: the state file {path} is damaged ({reason}); it has been left as it is. " +
            "Move it away to start from an empty ruleset, or repair it.\n",
            XtablesErrorStyle.Raw);
}
