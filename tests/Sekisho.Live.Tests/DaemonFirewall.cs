using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// Sekisho's daemon as a namespace's firewall: each ruleset is a fresh daemon loading it from its rules file; the LOG
/// lines come from the state directory's messages file, the counters from the ruleset the daemon leaves at stop.
/// </summary>
public sealed class DaemonFirewall : IFirewallUnderTest
{
    private readonly string _namespace;
    private readonly string[] _interfaces;
    private readonly string _rulesFile = Path.Combine(Path.GetTempPath(), $"sekisho-rules-{Guid.NewGuid():N}");
    private readonly string[] _extraArguments;
    private DaemonProcess? _daemon;

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
        _daemon?.Dispose();
        File.WriteAllText(_rulesFile, rules);
        _daemon = DaemonProcess.Start(_namespace, [.. _interfaces.SelectMany(i => new[] { "--interface", i }), "--rules", _rulesFile, .. _extraArguments]);
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
