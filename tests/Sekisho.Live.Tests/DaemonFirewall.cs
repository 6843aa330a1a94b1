using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// Sekisho's daemon as a namespace's firewall: started with the first ruleset as its rules file; later rulesets and
/// every tool go through the control socket to the running daemon (<c>sekisho iptables-restore</c>, <c>iptables</c>,
/// <c>iptables-save -c</c> for the live counters); the LOG lines come from the state directory's messages file.
/// </summary>
public sealed class DaemonFirewall : IFirewallUnderTest
{
    private readonly string _namespace;
    private readonly string[] _interfaces;
    private readonly string _rulesFile = Path.Combine(Path.GetTempPath(), $"sekisho-rules-{Guid.NewGuid():N}");
    private readonly string[] _extraArguments;
    private DaemonProcess? _daemon;
    private int _logLinesRead;

    /// <summary>Stands in front of <paramref name="interfaces"/> of namespace <paramref name="ns"/>.</summary>
    public DaemonFirewall(string ns, string[] interfaces, params string[] extraArguments)
    {
        _namespace = ns;
        _interfaces = interfaces;
        _extraArguments = extraArguments;
    }

    /// <inheritdoc />
    public string Name => "sekisho";

    /// <summary>The running daemon.</summary>
    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("no daemon runs");

    /// <inheritdoc />
    public void Load(string rules)
    {
        if (_daemon is not null)
        {
            var restore = Tool(["iptables-restore"], rules);
            Assert.True(restore.ExitCode == 0, restore.ToString());
            return;
        }

        File.WriteAllText(_rulesFile, rules);
        _daemon = DaemonProcess.Start(_namespace, [.. _interfaces.SelectMany(i => new[] { "--interface", i }), "--rules", _rulesFile, .. _extraArguments]);
        Assert.True(_daemon.WaitReady(), $"the daemon did not become ready\n{_daemon.Stderr}");
    }

    /// <inheritdoc />
    public ToolResult Tool(IReadOnlyList<string> words, string? stdin = null) =>
        KernelEnvironment.Exec("env", [$"SEKISHO_RUN_DIR={Daemon.RunDirectory}", DaemonProcess.Executable, .. words], stdin);

    /// <inheritdoc />
    public (List<string> Log, string Counters) EndStep()
    {
        var daemon = Daemon;
        string messages = Path.Combine(daemon.StateDirectory, "messages");
        var lines = File.Exists(messages) ? File.ReadAllLines(messages) : [];
        var log = lines.Skip(_logLinesRead).Select(l => l[(l.IndexOf(" kernel: ", StringComparison.Ordinal) + 9)..]).ToList();
        _logLinesRead = lines.Length;
        var save = Tool(["iptables-save", "-c"]);
        Assert.True(save.ExitCode == 0, save.ToString());
        return (log, LiveScenario.WithoutComments(save.Stdout));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_daemon is not null)
        {
            Assert.Equal(0, _daemon.Stop());
            _daemon.Dispose();
        }

        File.Delete(_rulesFile);
    }
}
