using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.State;

/// <summary>"The kernel" as the iptables tools see it: tables to read, tables to replace, a lock, a log.</summary>
/// <remarks>
/// The state directory implements it for command-line use; the daemon (later) and tests provide others.
/// Replacing a table is atomic and durable: afterwards every reader sees the new table or, if the replacement
/// failed, still the old one.
/// </remarks>
public interface IRulesetStore
{
    /// <summary>The kernel log (<c>dmesg</c>), where refusals explain themselves.</summary>
    IKernelLog KernelLog { get; }

    /// <summary>
    /// Takes the xtables lock: <paramref name="wait"/> 0 fails at once when busy, -1 waits forever, N waits N
    /// seconds. Throws <see cref="Netfilter.Syntax.XtablesException"/> (resource problem) when it cannot.
    /// </summary>
    IDisposable Lock(int wait);

    /// <summary>The current ruleset (a private copy that may be edited freely).</summary>
    Ruleset Load();

    /// <summary>
    /// Opens a table, instantiating it (and persisting that) on first use, as the kernel does; null when no
    /// such table exists. Returns a private copy.
    /// </summary>
    Table? OpenTable(string name);

    /// <summary>Validates and installs a new version of a table; 0 or the kernel's error number.</summary>
    int ReplaceTable(Table table);
}
