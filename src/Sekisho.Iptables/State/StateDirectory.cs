using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.Output;
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
        var created = updated.GetOrCreate(name)!;
        Persist(updated);
        return created.Clone();
    }

    /// <inheritdoc />
    public int ReplaceTable(Table table)
    {
        int rc = TableValidator.Validate(table, KernelLog, Current());
        if (rc != Errno.Ok)
        {
            return rc;
        }

        var updated = Current().Clone();
        updated.Replace(table);
        Persist(updated);
        return Errno.Ok;
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

    private Ruleset Current()
    {
        if (_cache != null)
        {
            return _cache;
        }

        if (!File.Exists(RulesetPath))
        {
            _cache = new Ruleset();
            return _cache;
        }

        byte[] content;
        try
        {
            content = File.ReadAllBytes(RulesetPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot read the state file {RulesetPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }

        _cache = RulesetFile.Parse(content, RulesetPath, _names);
        return _cache;
    }

    private void Persist(Ruleset ruleset)
    {
        EnsureDirectory();
        try
        {
            AtomicFile.Write(RulesetPath, stream => RulesetFile.Write(stream, ruleset, _names));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.OtherProblem,
                $"sekisho: cannot write the state file {RulesetPath}: {Errors.Describe(ex)}\n", XtablesErrorStyle.Raw);
        }

        _cache = ruleset;
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
