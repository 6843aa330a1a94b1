using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// A user other than root runs the tools while the daemon runs: the socket's directory (0700) keeps them out, and
/// they fail as iptables-legacy fails for that user — compared with the real iptables-legacy run as the same user.
/// </summary>
public sealed class NonRootClientTests : IDisposable
{
    private const string Nobody = "65534";

    private readonly LiveDaemonFixture _daemon = new();
    private readonly string _lockFile = Path.Combine(Path.GetTempPath(), $"sekisho-nonroot-lock-{Guid.NewGuid():N}");

    public static TheoryData<string, string[], string?> Commands => new()
    {
        { "iptables", ["-L"], null },
        { "iptables", ["-t", "nat", "-A", "POSTROUTING", "-j", "MASQUERADE"], null },
        { "iptables", ["-A", "INPUT", "--bogus"], null },
        { "iptables-save", ["-t", "filter"], null },
        { "iptables-restore", [], "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n" },
    };

    [KernelTheory]
    [MemberData(nameof(Commands))]
    public void NonRoot_SameRefusalAsIptablesLegacy(string tool, string[] args, string? stdin)
    {
        // The real tool needs a lock file it may open, or it stops earlier at the lock ("Fatal: can't open lock file").
        File.WriteAllText(_lockFile, "");
        File.SetUnixFileMode(_lockFile, (UnixFileMode)0x1B6);
        string legacy = tool.Replace("iptables", "iptables-legacy", StringComparison.Ordinal);
        var expected = AsNobody([$"XTABLES_LOCKFILE={_lockFile}", legacy, .. args], stdin);
        var actual = AsNobody([$"SEKISHO_RUN_DIR={_daemon.RunDirectory}", "HOME=/tmp", Path.Combine(AppContext.BaseDirectory, "sekisho"), tool, .. args], stdin);
        Assert.Equal(expected, actual);
        Assert.Equal("-P INPUT ACCEPT\n", _daemon.Run("iptables -S INPUT").Stdout);
    }

    public void Dispose()
    {
        _daemon.Dispose();
        File.Delete(_lockFile);
    }

    private static ToolResult AsNobody(string[] envAndCommand, string? stdin) =>
        KernelEnvironment.Exec("setpriv", ["--reuid=" + Nobody, "--regid=" + Nobody, "--clear-groups", "env", .. envAndCommand], stdin);
}
