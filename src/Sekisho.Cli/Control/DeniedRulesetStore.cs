using Sekisho.Iptables.State;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Cli.Control;

/// <summary>
/// "The kernel" as a user without CAP_NET_ADMIN sees it: every table refuses to open. The tools run against it
/// for a user the daemon refuses, so they fail where and as iptables-legacy fails for such a user.
/// </summary>
/// <remarks>
/// iptables: "can't initialize iptables table `filter': Permission denied (you must be root)" (exit 3);
/// iptables-save: "Cannot initialize: Permission denied (you must be root)" (exit 1); iptables-restore: "unable to
/// initialize table 'filter'" at the table's line (exit 2) — after each has parsed its arguments, as the real ones do.
/// </remarks>
internal sealed class DeniedRulesetStore(string program) : IRulesetStore
{
    private const string Denied = "Permission denied (you must be root)";

    public IKernelLog KernelLog => NullKernelLog.Instance;

    public IDisposable Lock(int wait) => new NoLock();

    public Ruleset Load() => throw XtablesException.Other($"Cannot initialize: {Denied}");

    public Table? OpenTable(string name) => program switch
    {
        "iptables" => throw new XtablesException(ExitStatus.VersionProblem, $"can't initialize iptables table `{name}': {Denied}"),
        "iptables-save" => throw XtablesException.Other($"Cannot initialize: {Denied}"),
        _ => null,
    };

    public int ReplaceTable(Table table) => Errno.EPERM;

    private sealed class NoLock : IDisposable
    {
        public void Dispose()
        {
        }
    }
}
