using System.Text.RegularExpressions;
using Sekisho.Cli.Service;
using Sekisho.Iptables.State;
using Sekisho.Live.Control;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary><c>sekisho service ...</c>: CentOS' service lines and LSB exit statuses, against an in-process daemon.</summary>
public sealed partial class ServiceCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("sekisho-service-").FullName;
    private readonly string? _previousConfig = Environment.GetEnvironmentVariable("SEKISHO_CONFIG");
    private readonly string? _previousRunDir = Environment.GetEnvironmentVariable("SEKISHO_RUN_DIR");
    private readonly string? _previousStateDir = Environment.GetEnvironmentVariable("SEKISHO_STATE_DIR");

    public ServiceCommandTests()
    {
        Environment.SetEnvironmentVariable("SEKISHO_CONFIG", Path.Combine(_root, "sekisho.conf"));
        Environment.SetEnvironmentVariable("SEKISHO_RUN_DIR", Path.Combine(_root, "run"));
        Environment.SetEnvironmentVariable("SEKISHO_STATE_DIR", Path.Combine(_root, "state"));
        File.WriteAllText(Path.Combine(_root, "sekisho.conf"), $"interfaces = eth0\nrules = {Path.Combine(_root, "iptables")}\n");
    }

    [Fact]
    public void Status_NoDaemon_NotRunning_Exit3()
    {
        Assert.Equal((3, "iptables: Firewall is not running.\n", ""), Service("status"));
    }

    [Fact]
    public void Status_Running_Exit0_DaemonFactsThenTablesAsCentOS()
    {
        using var daemon = new LiveDaemonFixture(runDirectory: Path.Combine(_root, "run"));
        daemon.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP");
        daemon.Run("iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE");
        daemon.Ping();
        daemon.Ping();

        var (code, stdout, stderr) = Service("status");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Matches(StatusHeader(), stdout);
        Assert.Contains("\nRules loaded: 2 rules in 2 tables (rules file " + daemon.RulesFile + ")\nInterfaces: eth0\nPackets seen: 2\n", stdout, StringComparison.Ordinal);

        var reference = new SekishoTools(new MemoryRulesetStore());
        reference.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP");
        reference.Run("iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE");
        string tables = "Table: nat\n" + reference.Run("iptables -t nat --list -n --line-numbers").Stdout + "\n" +
                        "Table: filter\n" + reference.Run("iptables -t filter --list -n --line-numbers").Stdout + "\n";
        Assert.EndsWith("\nPackets seen: 2\n" + tables, stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_StaleSocket_Dead_Exit1()
    {
        string run = Path.Combine(_root, "run");
        Directory.CreateDirectory(run);
        using var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        dead.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(run, "control.sock")));
        var (code, stdout, _) = Service("status");
        Assert.Equal(1, code);
        Assert.Equal($"sekisho: the firewall daemon is dead, but its control socket {Path.Combine(run, "control.sock")} remains.\n", stdout);
    }

    [Fact]
    public void Save_Running_WritesRulesFileAtomically_Mode0600()
    {
        using var daemon = new LiveDaemonFixture(runDirectory: Path.Combine(_root, "run"));
        daemon.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix \"[INPUT]\"");
        daemon.Ping();
        string rules = daemon.RulesFile; // the file the daemon was started with

        Assert.Equal((0, $"iptables: Saving firewall rules to {rules}:[  OK  ]\n", ""), Service("save"));
        string saved = File.ReadAllText(rules);
        Assert.Equal(SaveTime().Replace(daemon.Run("iptables-save").Stdout, "TIME"), SaveTime().Replace(saved, "TIME"));
        Assert.Contains("-A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix \"[INPUT]\"\n", saved, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(rules));
        Assert.Empty(Directory.GetFiles(daemon.Root, ".iptables.*"));
    }

    [Fact]
    public void Save_WriteFails_OldFileKept_Failed()
    {
        using var daemon = new LiveDaemonFixture(runDirectory: Path.Combine(_root, "run"));
        daemon.Run("iptables -A INPUT -j DROP");
        string rules = daemon.RulesFile;
        File.WriteAllText(rules, "old rules\n");
        // The temporary file's name is taken by a directory: the write fails before the rename.
        Directory.CreateDirectory(Path.Combine(daemon.Root, $".iptables.{Environment.ProcessId}.tmp"));

        var (code, stdout, stderr) = Service("save");
        Assert.Equal(1, code);
        Assert.Equal($"iptables: Saving firewall rules to {rules}:[FAILED]\n", stdout);
        Assert.StartsWith($"sekisho: cannot write {rules}: ", stderr);
        Assert.Equal("old rules\n", File.ReadAllText(rules));
    }

    [Fact]
    public void Save_NoDaemon_SavesTheStateDirectory()
    {
        var state = new SekishoTools(Path.Combine(_root, "state"), Sekisho.Netfilter.Syntax.LibcNameService.Instance);
        Assert.Equal(0, state.Run("iptables -A INPUT -p tcp --dport 22 -j ACCEPT").ExitCode);
        string rules = Path.Combine(_root, "iptables");
        Assert.Equal((0, $"iptables: Saving firewall rules to {rules}:[  OK  ]\n", ""), Service("save"));
        Assert.Contains("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n", File.ReadAllText(rules), StringComparison.Ordinal);
    }

    [Fact]
    public void Stop_Running_AsksTheDaemonAndWaits()
    {
        var daemon = new LiveDaemonFixture(runDirectory: Path.Combine(_root, "run"));
        try
        {
            Assert.Equal((0, "iptables: Stopping the Sekisho firewall daemon: [  OK  ]\n", ""), Service("stop"));
            Assert.True(daemon.StopRequested.IsSet);
            Assert.False(File.Exists(daemon.Server.SocketPath));
            Assert.Equal((3, "iptables: Firewall is not running.\n", ""), Service("status"));
            Assert.Equal((0, "iptables: Firewall is not running.\n", ""), Service("stop"));
        }
        finally
        {
            daemon.Dispose();
        }
    }

    [Fact]
    public void Stop_StaleSocket_RunsCleanupAndForgetsTheSocket()
    {
        string run = Path.Combine(_root, "run");
        Directory.CreateDirectory(run);
        string socket = Path.Combine(run, "control.sock");
        var dead = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream,
            System.Net.Sockets.ProtocolType.Unspecified);
        dead.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(socket));
        string marker = Path.Combine(_root, "cleanup-ran");
        var launcher = new DaemonLauncher { Sekisho = ["/bin/sh", "-c", $"sleep 0.2; echo \"$@\" > {marker}", "sh"] };

        Assert.Equal((0, "iptables: Stopping the Sekisho firewall daemon: [  OK  ]\n", ""), Service("stop", launcher));
        Assert.Equal("daemon --cleanup\n", File.ReadAllText(marker));
        Assert.False(File.Exists(socket));
        dead.Close();
        Assert.Equal((3, "iptables: Firewall is not running.\n", ""), Service("status"));
    }

    [Fact]
    public void Start_DaemonAnswers_Ok()
    {
        LiveDaemonFixture? daemon = null;
        var late = new Thread(() =>
        {
            Thread.Sleep(300);
            daemon = new LiveDaemonFixture(runDirectory: Path.Combine(_root, "run"));
        });
        late.Start();
        try
        {
            var launcher = new DaemonLauncher { Sekisho = ["/bin/sh", "-c", "exec sleep 5", "sh"], Timeout = TimeSpan.FromSeconds(20) };
            Assert.Equal((0, "iptables: Applying firewall rules: [  OK  ]\n", ""), Service("start", launcher));
            Assert.Equal((0, "sekisho: the firewall daemon is already running.\n", ""), Service("start", launcher));
        }
        finally
        {
            late.Join();
            daemon?.Dispose();
        }
    }

    [Fact]
    public void Start_DaemonExits_FailedWithItsOutput()
    {
        var launcher = new DaemonLauncher { Sekisho = ["/bin/sh", "-c", "echo \"sekisho daemon: cannot read $5\" >&2; exit 1", "sh"] };
        var (code, stdout, stderr) = Service("start", launcher);
        Assert.Equal(1, code);
        Assert.Equal("iptables: Applying firewall rules: [FAILED]\n", stdout);
        Assert.Equal($"sekisho: the daemon exited while starting; its output ({Path.Combine(_root, "run", "daemon.log")}):\n" +
                     $"sekisho daemon: cannot read {Path.Combine(_root, "iptables")}\n", stderr);
    }

    [Fact]
    public void Start_DaemonSilent_TimesOut()
    {
        var launcher = new DaemonLauncher { Sekisho = ["/bin/sh", "-c", "exec sleep 3", "sh"], Timeout = TimeSpan.FromSeconds(1) };
        var (code, stdout, stderr) = Service("start", launcher);
        Assert.Equal(1, code);
        Assert.Equal("iptables: Applying firewall rules: [FAILED]\n", stdout);
        Assert.Matches(@"^sekisho: the daemon \(pid \d+\) did not answer on .*control\.sock within 1 s", stderr);
    }

    [Fact]
    public void Start_NoInterfacesConfigured_Exit6()
    {
        File.WriteAllText(Path.Combine(_root, "sekisho.conf"), "# nothing yet\n");
        var (code, stdout, stderr) = Service("start");
        Assert.Equal(6, code);
        Assert.Equal("iptables: Applying firewall rules: [FAILED]\n", stdout);
        Assert.Contains("no interfaces configured", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BadConfiguration_NamedWithLine_Exit6()
    {
        File.WriteAllText(Path.Combine(_root, "sekisho.conf"), "interfaces = eth0\nfail = sometimes\n");
        Assert.Equal((6, "", $"sekisho: {Path.Combine(_root, "sekisho.conf")}:2: `fail' is `open' or `closed', not `sometimes'\n"), Service("status"));
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("SEKISHO_CONFIG", _previousConfig);
        Environment.SetEnvironmentVariable("SEKISHO_RUN_DIR", _previousRunDir);
        Environment.SetEnvironmentVariable("SEKISHO_STATE_DIR", _previousStateDir);
        Directory.Delete(_root, recursive: true);
    }

    private static (int Code, string Stdout, string Stderr) Service(string action, DaemonLauncher? launcher = null)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var command = new ServiceCommand(stdout, stderr) { Launcher = launcher ?? new DaemonLauncher() };
        int code = command.Run([action]);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex(@"^Sekisho firewall daemon: running \(pid \d+\) since \w{3} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; \d+s ago\n")]
    private static partial Regex StatusHeader();

    [GeneratedRegex(@"on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}")]
    private static partial Regex SaveTime();
}
