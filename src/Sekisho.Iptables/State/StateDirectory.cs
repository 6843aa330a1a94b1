using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.Output;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.State;

/// <summary>A state directory: Sekisho's "kernel" for command-line use.</summary>
/// <remarks>
/// <para>Files:</para>
/// <list type="bullet">
/// <item><c>ruleset</c>: every instantiated table with its counters, in iptables-save <c>-c</c> form, oldest
/// table first, behind a header naming the format. Written atomically (temporary file, fsync, rename).</item>
/// <item><c>xtables.lock</c>: the lock file (unless <c>$XTABLES_LOCKFILE</c> names another).</item>
/// <item><c>kernel.log</c>: the kernel's messages (<c>dmesg</c>), one per line.</item>
/// <item><c>conntrack</c>: the connection tracking table (<see cref="ConntrackTable.Save"/>'s format), written
/// atomically.</item>
/// </list>
/// <para>The directory is <c>$SEKISHO_STATE_DIR</c>; without it <c>/var/lib/sekisho</c> for root and
/// <c>$XDG_STATE_HOME/sekisho</c> (default <c>~/.local/state/sekisho</c>) for other users. A ruleset file that
/// cannot be read back is reported and left exactly as it is.</para>
/// </remarks>
public sealed class StateDirectory : IRulesetStore
{
    /// <summary>The first line of a ruleset file.</summary>
    public const string Header = "# Sekisho ruleset 1: tables in creation order, iptables-save -c format";

    private readonly INameService _names;
    private Ruleset? _cache;
    private byte[]? _content;
    private RulesetText? _text;
    private bool _read;

    /// <summary>Opens (creating if needed) a state directory.</summary>
    public StateDirectory(string path, INameService names)
    {
        Path = path;
        _names = names;
        KernelLog = new FileKernelLog(System.IO.Path.Combine(path, "kernel.log"));
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The ruleset file.</summary>
    public string RulesetPath => System.IO.Path.Combine(Path, "ruleset");

    /// <inheritdoc />
    public IKernelLog KernelLog { get; }

    /// <summary>The connection tracking table file.</summary>
    public string ConntrackPath => System.IO.Path.Combine(Path, "conntrack");

    /// <summary>Fills a table from the conntrack file (an absent file is an empty table).</summary>
    public void LoadConntrack(ConntrackTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!File.Exists(ConntrackPath))
        {
            table.Flush();
            return;
        }

        try
        {
            using var stream = File.OpenRead(ConntrackPath);
            table.Load(stream);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot read the state file {ConntrackPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }
    }

    /// <summary>Writes a table to the conntrack file, atomically.</summary>
    public void SaveConntrack(ConntrackTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        EnsureDirectory();
        try
        {
            AtomicFile.Write(ConntrackPath, table.Save);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot write the state file {ConntrackPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }
    }

    /// <summary>The host model file (see <see cref="HostDescription"/>).</summary>
    public string HostPath => System.IO.Path.Combine(Path, "host");

    /// <summary>The log file LOG lines go to, in the <c>/var/log/messages</c> form.</summary>
    public string MessagesPath => System.IO.Path.Combine(Path, "messages");

    /// <summary>The stored host model, or null when the directory has none. A damaged file throws <see cref="FormatException"/>.</summary>
    public HostDescription? LoadHost() =>
        File.Exists(HostPath) ? HostDescription.Parse(File.ReadAllText(HostPath), HostPath) : null;

    /// <summary>Stores the host model (atomically).</summary>
    public void SaveHost(HostDescription host)
    {
        EnsureDirectory();
        AtomicFile.Write(HostPath, Encoding.UTF8.GetBytes(host.Format()));
    }

    /// <summary>
    /// Writes a ruleset back whole (a replay's counters), atomically; the caller holds the lock and loaded the
    /// ruleset under it.
    /// </summary>
    public void SaveRuleset(Ruleset ruleset) => Persist(ruleset);

    /// <summary>Writes a file of the directory atomically and durably.</summary>
    public void WriteFile(string path, Action<Stream> write)
    {
        EnsureDirectory();
        AtomicFile.Write(path, write);
    }

    /// <summary>The default state directory for this user (see the type's remarks).</summary>
    public static string DefaultPath()
    {
        string? configured = Environment.GetEnvironmentVariable("SEKISHO_STATE_DIR");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        if (Environment.UserName == "root" || geteuid() == 0)
        {
            return "/var/lib/sekisho";
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return System.IO.Path.Combine(string.IsNullOrEmpty(xdg) ? System.IO.Path.Combine(home, ".local", "state") : xdg, "sekisho");
    }

    /// <inheritdoc />
    public IDisposable Lock(int wait)
    {
        EnsureDirectory();
        string? lockFile = Environment.GetEnvironmentVariable("XTABLES_LOCKFILE");
        return XtablesLock.Acquire(string.IsNullOrEmpty(lockFile) ? System.IO.Path.Combine(Path, "xtables.lock") : lockFile, wait);
    }

    /// <inheritdoc />
    public Ruleset Load() => Current().Clone();

    /// <inheritdoc />
    public Table? OpenTable(string name)
    {
        if (_cache == null && Text() is { } text)
        {
            // Only the table asked for is parsed; the others stay text.
            if (text.Find(name) is { } section)
            {
                return ParseSection(text, section).Clone();
            }

            if (TableDefinition.Find(name) is not { } definition)
            {
                return null;
            }

            var created = new Table(definition);
            PersistText(text, created, null);
            return created.Clone();
        }

        var ruleset = Current();
        if (ruleset.Find(name) is { } existing)
        {
            return existing.Clone();
        }

        if (TableDefinition.Find(name) == null)
        {
            return null;
        }

        var updated = ruleset.Clone();
        var added = updated.GetOrCreate(name)!;
        Persist(updated);
        return added.Clone();
    }

    /// <inheritdoc />
    public int ReplaceTable(Table table) => ReplaceTable(table, null);

    /// <summary>
    /// <see cref="ReplaceTable(Table)"/> for iptables-restore: the rules <paramref name="texts"/> holds are written
    /// as the input gave them, already in their save form.
    /// </summary>
    internal int ReplaceTable(Table table, RuleTexts? texts)
    {
        // Only hashlimit's check looks at the other tables the kernel holds.
        bool needsCurrent = _cache != null || Text() == null || UsesHashlimit(table);
        int rc = TableValidator.Validate(table, KernelLog, needsCurrent ? Current() : null);
        if (rc != Errno.Ok)
        {
            return rc;
        }

        if (_cache == null && Text() is { } text)
        {
            PersistText(text, table, texts);
            return Errno.Ok;
        }

        var updated = Current().Clone();
        updated.Replace(table);
        Persist(updated, texts);
        return Errno.Ok;
    }

    private static bool UsesHashlimit(Table table)
    {
        foreach (var chain in table.Chains)
        {
            foreach (var rule in chain.Rules)
            {
                foreach (var match in rule.Matches)
                {
                    if (match is Netfilter.Extensions.Matches.HashlimitMatch)
                    {
                        return true;
                    }
                }
            }
        }

        return false;
    }

    /// <summary>
    /// A table's chains with their policies and policy counters but none of its rules, for iptables-restore
    /// without <c>--noflush</c>, which flushes the rules and deletes the user chains at once; null when the table
    /// must be opened in full (see <see cref="OpenTable"/>).
    /// </summary>
    internal Table? OpenChainsOnly(string name)
    {
        if (_cache != null || Text() is not { } text || text.Find(name) is not { } section)
        {
            return null;
        }

        byte[] header = Encoding.ASCII.GetBytes(Header + "\n");
        byte[] commit = "COMMIT\n"u8.ToArray();
        int length = section.RulesStart - section.Start;
        byte[] chains = new byte[header.Length + length + commit.Length];
        header.CopyTo(chains, 0);
        text.Content.AsSpan(section.Start, length).CopyTo(chains.AsSpan(header.Length));
        commit.CopyTo(chains, header.Length + length);
        return RulesetFile.Parse(chains, RulesetPath, _names).Find(name);
    }

    /// <summary>
    /// The state file's text when it is exactly as Sekisho wrote it (checksum intact), for the commands that work on
    /// lines (<see cref="RulesetText"/>); null when there is no file or it must be parsed.
    /// </summary>
    internal RulesetText? Text()
    {
        if (!_read)
        {
            _content = ReadFile();
            _text = _content == null ? null : RulesetText.TryRead(_content);
            _read = true;
        }

        return _text;
    }

    /// <summary>Installs a new file content that a line-level command produced (durably, atomically).</summary>
    internal void WriteText(byte[] content)
    {
        Write(stream => stream.Write(content));
        _cache = null;
        _content = content;
        _text = null;
        _read = false;
    }

    private Table ParseSection(RulesetText text, TableText section)
    {
        byte[] header = Encoding.ASCII.GetBytes(Header + "\n");
        byte[] single = new byte[header.Length + section.End - section.Start];
        header.CopyTo(single, 0);
        text.Content.AsSpan(section.Start, section.End - section.Start).CopyTo(single.AsSpan(header.Length));
        return RulesetFile.Parse(single, RulesetPath, _names).Find(section.Name)
            ?? throw new InvalidOperationException("A table section parsed to no table.");
    }

    private void PersistText(RulesetText text, Table table, RuleTexts? texts)
    {
        using var body = new MemoryStream(text.Content.Length + 4096);
        bool written = false;
        foreach (var section in text.Tables)
        {
            if (section.Name == table.Name)
            {
                RulesetFile.WriteTable(body, table, _names, texts);
                written = true;
            }
            else
            {
                body.Write(text.Content, section.Start, section.End - section.Start);
            }
        }

        if (!written)
        {
            RulesetFile.WriteTable(body, table, _names, texts);
        }

        // Header and body go to the file as they are, without composing one more copy of the whole file; it is
        // read back if this process needs it again.
        byte[] buffer = body.GetBuffer();
        int length = (int)body.Length;
        byte[] head = RulesetText.Head(buffer.AsSpan(0, length));
        Write(stream =>
        {
            stream.Write(head);
            stream.Write(buffer, 0, length);
        });
        _cache = null;
        _content = null;
        _text = null;
        _read = false;
    }

    private byte[]? ReadFile()
    {
        if (_content != null)
        {
            return _content;
        }

        if (!File.Exists(RulesetPath))
        {
            return null;
        }

        try
        {
            return File.ReadAllBytes(RulesetPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot read the state file {RulesetPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }
    }

    private Ruleset Current()
    {
        if (_cache != null)
        {
            return _cache;
        }

        byte[]? content = ReadFile();
        _cache = content == null ? new Ruleset() : RulesetFile.Parse(content, RulesetPath, _names);
        return _cache;
    }

    private void Persist(Ruleset ruleset, RuleTexts? texts = null)
    {
        byte[] content = RulesetFile.Serialize(ruleset, _names, texts);
        Write(stream => stream.Write(content));
        _cache = ruleset;
        _content = content;
        _text = null;
        _read = false;
    }

    private void Write(Action<Stream> write)
    {
        EnsureDirectory();
        try
        {
            AtomicFile.Write(RulesetPath, write);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot write the state file {RulesetPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }
    }

    private void EnsureDirectory()
    {
        try
        {
            Directory.CreateDirectory(Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot create the state directory {Path}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
