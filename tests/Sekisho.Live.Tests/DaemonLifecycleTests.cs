using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>The daemon's life cycle on a real interface: start, stop, crash, cleanup, in both fail modes.</summary>
public sealed class DaemonLifecycleTests
{
    private const string DropPing = """
        *filter
        :INPUT ACCEPT [0:0]
        -A INPUT -p icmp -j DROP
        COMMIT

        """;

    [KernelFact]
    public void Crash_with_fail_open_then_cleanup_gives_eth0_back_with_its_configuration()
    {
        KernelEnvironment.EnsureAvailable();
        using var network = new SeedNetwork();
        string before = Configuration(network);
        using var rules = new TemporaryFile(DropPing);
        using var daemon = DaemonProcess.Start(network.Server1Namespace, ["--interface", "eth0", "--rules", rules.Path, "--fail", "open"]);
        Assert.True(daemon.WaitReady(), daemon.Stderr);
        Assert.False(Pings(network), "the daemon's DROP rule lets ping through");

        daemon.Crash();
        Assert.False(Pings(network), "eth0 answers while the crashed daemon's namespace holds it");
        var cleanup = daemon.Cleanup();
        Assert.True(cleanup.ExitCode == 0, cleanup.ToString());
        Assert.Equal("sekisho daemon: fail open: eth0 back in the host namespace\n", cleanup.Stdout);
        Assert.Equal(before, Configuration(network));
        Assert.True(Pings(network), "eth0 is back but does not answer");
        Assert.False(File.Exists(Path.Combine(daemon.RunDirectory, "interposition")));
    }

    [KernelFact]
    public void Fail_closed_keeps_eth0_cut_off_until_the_next_daemon_adopts_it()
    {
        KernelEnvironment.EnsureAvailable();
        using var network = new SeedNetwork();
        string before = Configuration(network);
        string missing = Path.Combine(Path.GetTempPath(), $"sekisho-no-rules-{Guid.NewGuid():N}");
        string[] args = ["--interface", "eth0", "--rules", missing, "--fail", "closed"];
        string run;
        string state;
        using (var first = DaemonProcess.Start(network.Server1Namespace, args))
        {
            Assert.True(first.WaitReady(), first.Stderr);
            Assert.True(Pings(network), "a missing rules file is an empty ruleset, which accepts everything");
            Assert.Equal(0, first.Stop());
            Assert.False(Pings(network), "fail closed let traffic through after the stop");
            var cleanup = first.Cleanup();
            Assert.Contains("fail closed: eth0 stay", cleanup.Stdout, StringComparison.Ordinal);
            Assert.False(Pings(network), "the cleanup of fail closed let traffic through");

            // The next daemon takes over the same run directory.
            run = Directory.CreateTempSubdirectory("sekisho-run-").FullName;
            state = Directory.CreateTempSubdirectory("sekisho-state-").FullName;
            foreach (string file in Directory.GetFiles(first.RunDirectory))
            {
                File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
                File.Delete(file);
            }
        }

        using var second = DaemonProcess.Start(network.Server1Namespace, args, run, state);
        Assert.True(second.WaitReady(), second.Stderr);
        Assert.True(second.WroteOnStderr("adopting eth0"), $"no \"adopting eth0\" from the second daemon:\n{second.Stderr}");
        Assert.True(Pings(network), "the adopting daemon does not pass traffic");
        Assert.Equal(before, Configuration(network));
    }

    [KernelFact]
    public void A_broken_rules_file_stops_the_daemon_before_it_touches_the_interfaces()
    {
        KernelEnvironment.EnsureAvailable();
        using var network = new SeedNetwork();
        string before = Configuration(network);
        using var rules = new TemporaryFile("*filter\n-A INPUT -j NOPE\nCOMMIT\n");
        using var daemon = DaemonProcess.Start(network.Server1Namespace, ["--interface", "eth0", "--rules", rules.Path]);
        Assert.False(daemon.WaitReady(TimeSpan.FromSeconds(30)), "the daemon started with a broken rules file");
        Assert.Equal(1, daemon.WaitExit());
        Assert.Contains($"sekisho daemon: cannot load {rules.Path}:", daemon.Stderr, StringComparison.Ordinal);
        Assert.Contains("Error occurred at line: 2", daemon.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, Configuration(network));
        Assert.True(Pings(network));
    }

    [KernelFact]
    public void An_address_the_host_adds_while_the_daemon_runs_is_followed_and_given_back()
    {
        KernelEnvironment.EnsureAvailable();
        using var network = new SeedNetwork();
        using var daemon = DaemonProcess.Start(network.Server1Namespace, ["--interface", "eth0", "--rules", "/nonexistent/rules"]);
        Assert.True(daemon.WaitReady(), daemon.Stderr);
        Assert.False(Pings(network, "10.1.51.166"));

        SeedNetwork.Ip("-n", network.Server1Namespace, "addr", "add", "10.1.51.166/16", "dev", "eth0");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Pings(network, "10.1.51.166"))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the daemon did not follow the new address\n{daemon.Stderr}");
        }

        Assert.Equal(0, daemon.Stop());
        Assert.Contains("10.1.51.165/16 10.1.51.166/16", Configuration(network), StringComparison.Ordinal);
        Assert.True(Pings(network, "10.1.51.166"));
    }

    // Server 1's eth0 as ip shows it: MAC, MTU, addresses, routes (not its state or kind: the TAP twin is no veth).
    private static string Configuration(SeedNetwork network)
    {
        var link = network.OnServer1("ip", "-o", "link", "show", "dev", "eth0").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var address = network.OnServer1("ip", "-br", "-4", "addr", "show", "dev", "eth0").Stdout.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var routes = network.OnServer1("ip", "-4", "route", "show");
        string mtu = link.SkipWhile(w => w != "mtu").Skip(1).FirstOrDefault() ?? "no mtu";
        string mac = link.SkipWhile(w => w != "link/ether").Skip(1).FirstOrDefault() ?? "no mac";
        return $"mtu {mtu} mac {mac} {string.Join(' ', address.Where(w => w.Contains('/')))}\n{routes.Stdout}";
    }

    private static bool Pings(SeedNetwork network, string address = SeedNetwork.Server1) =>
        network.OnServer2("ping", "-c", "1", "-W", "1", address).ExitCode == 0;

    private sealed class TemporaryFile : IDisposable
    {
        public TemporaryFile(string text)
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"sekisho-rules-{Guid.NewGuid():N}");
            File.WriteAllText(Path, text);
        }

        public string Path { get; }

        public void Dispose() => File.Delete(Path);
    }
}
