using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.State;

/// <summary>A ruleset held in memory: for tests, for loading state files, for the daemon's working copy.</summary>
public sealed class MemoryRulesetStore : IRulesetStore
{
    private readonly bool _validate;

    /// <summary>Creates a store.</summary>
    /// <param name="ruleset">The initial ruleset (owned by the store from now on).</param>
    /// <param name="validate">Whether replacements go through the kernel's checks.</param>
    /// <param name="log">The kernel log.</param>
    public MemoryRulesetStore(Ruleset? ruleset = null, bool validate = true, IKernelLog? log = null)
    {
        Ruleset = ruleset ?? new Ruleset();
        _validate = validate;
        KernelLog = log ?? NullKernelLog.Instance;
    }

    /// <summary>The current ruleset.</summary>
    public Ruleset Ruleset { get; private set; }

    /// <inheritdoc />
    public IKernelLog KernelLog { get; }

    /// <inheritdoc />
    public IDisposable Lock(int wait) => NoLock.Instance;

    /// <inheritdoc />
    public Ruleset Load() => Ruleset.Clone();

    /// <inheritdoc />
    public Table? OpenTable(string name)
    {
        if (Ruleset.Find(name) is { } existing)
        {
            return existing.Clone();
        }

        return Ruleset.GetOrCreate(name)?.Clone();
    }

    /// <inheritdoc />
    public int ReplaceTable(Table table)
    {
        if (_validate)
        {
            int rc = TableValidator.Validate(table, KernelLog, Ruleset);
            if (rc != Errno.Ok)
            {
                return rc;
            }
        }

        var updated = Ruleset.Clone();
        updated.Replace(table);
        Ruleset = updated;
        return Errno.Ok;
    }

    private sealed class NoLock : IDisposable
    {
        public static NoLock Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
