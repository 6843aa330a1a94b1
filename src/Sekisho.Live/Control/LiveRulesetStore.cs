using Sekisho.Iptables.State;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Live.Control;

/// <summary>The running daemon's ruleset as the iptables tools see it: "the kernel" of the live firewall.</summary>
/// <remarks>
/// <para>Reads give private copies whose rules share the live <see cref="CounterCell"/>s, so listings and
/// <c>iptables-save -c</c> show the counts of the packets flowing now. A replacement is checked as the kernel's
/// <c>translate_table()</c> checks it (<see cref="TableValidator"/>), compiled, and installed into the engine under
/// <see cref="LiveFirewall.Gate"/>: the next packet sees the new table, no packet sees a mix.</para>
/// <para>Counters follow iptables-legacy: a rule the edit kept keeps its cell, which went on counting while the
/// edit ran (libiptc maps it to the old rule's counters at replace time), a new rule starts at zero, a zeroed rule
/// at zero, and built-in policies start again from zero unless the edit set them.</para>
/// <para><see cref="Lock"/> is the xtables lock on a file next to the control socket, so concurrent clients are
/// serialised with the state directory's semantics and messages.</para>
/// </remarks>
public sealed class LiveRulesetStore : IRulesetStore
{
    private readonly LiveFirewall _firewall;
    private readonly Lock _replace = new();

    /// <summary>Creates the store over a running firewall.</summary>
    /// <param name="firewall">The firewall whose ruleset the tools edit.</param>
    /// <param name="lockPath">The xtables lock file.</param>
    /// <param name="log">Where the kernel's refusals are written (<c>dmesg</c>).</param>
    public LiveRulesetStore(LiveFirewall firewall, string lockPath, IKernelLog? log = null)
    {
        _firewall = firewall;
        LockPath = lockPath;
        KernelLog = log ?? NullKernelLog.Instance;
    }

    /// <inheritdoc />
    public IKernelLog KernelLog { get; }

    /// <summary>The xtables lock file.</summary>
    public string LockPath { get; }

    /// <summary>Table replacements installed since the daemon started.</summary>
    public long Replacements { get; private set; }

    /// <inheritdoc />
    public IDisposable Lock(int wait) => XtablesLock.Acquire(LockPath, wait);

    /// <inheritdoc />
    public Ruleset Load() => _firewall.Ruleset.Clone();

    /// <inheritdoc />
    public Table? OpenTable(string name)
    {
        lock (_replace)
        {
            var current = _firewall.Ruleset;
            if (current.Find(name) is { } existing)
            {
                return existing.Clone();
            }

            if (TableDefinition.Find(name) == null)
            {
                return null;
            }

            // The kernel instantiates a table on first use (its module registers its hooks): so does the daemon.
            var updated = current.Clone();
            var created = updated.GetOrCreate(name)!;
            _firewall.Install(updated);
            return created.Clone();
        }
    }

    /// <inheritdoc />
    public int ReplaceTable(Table table)
    {
        lock (_replace)
        {
            var current = _firewall.Ruleset;
            int rc = TableValidator.Validate(table, KernelLog, current);
            if (rc != Errno.Ok)
            {
                return rc;
            }

            var updated = current.Clone();
            updated.Replace(table);
            _firewall.Install(updated);
            Replacements++;
            return Errno.Ok;
        }
    }
}
