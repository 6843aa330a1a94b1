using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// Sekisho's daemon as server 1's firewall: each ruleset is a fresh daemon loading it from its rules file; the LOG
/// lines come from the state directory's messages file, the counters from the ruleset the daemon leaves at stop.
/// </summary>
public sealed class DaemonFirewall : IServer1Firewall
{
    private readonly SeedNetwork _network;
    private readonly string _rulesFile = Path.Combine(Path.GetTempPath(), $"sekisho-rules-{Guid.NewGuid():N}");
    private readonly string[] _extraArguments;
    private DaemonProcess? _daemon;

    /// <summary>Stands in front of server 1's eth0.</summary>
    public DaemonFirewall(SeedNetwork network, params string[] extraArguments)
    {
        _network = network;
        _extraArguments = extraArguments;
    }

    /// <inheritdoc />
    public string Name => "sekisho";

    /// <summary>The running daemon.</summary>
    public DaemonProcess Daemon => _daemon ?? throw new InvalidOperationException("no daemon runs");

    /// <inheritdoc />
    public void Load(string rules)
    {
        _daemon?.Dispose();
        File.WriteAllText(_rulesFile, rules);
        _daemon = DaemonProcess.Start(_network.Server1Namespace, ["--interface", "eth0", "--rules", _rulesFile, .. _extraArguments]);
        Assert.True(_daemon.WaitReady(), $"the daemon did not become ready\n{_daemon.Stderr}");
    }

    /// <inheritdoc />
    public (List<string> Log, string Counters) EndStep()
    {
        var daemon = Daemon;
        Assert.Equal(0, daemon.Stop());
        string messages = Path.Combine(daemon.StateDirectory, "messages");
        var log = File.Exists(messages)
            ? File.ReadAllLines(messages).Select(l => l[(l.IndexOf(" kernel: ", StringComparison.Ordinal) + 9)..]).ToList()
            : [];
        var save = KernelEnvironment.Exec("env", [$"SEKISHO_STATE_DIR={daemon.StateDirectory}", DaemonProcess.Executable, "iptables-save", "-c"]);
        Assert.True(save.ExitCode == 0, save.ToString());
        return (log, LiveScenario.WithoutComments(save.Stdout));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _daemon?.Dispose();
        File.Delete(_rulesFile);
    }
}
