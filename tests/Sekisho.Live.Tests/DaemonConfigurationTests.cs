using Sekisho.Iptables.State;
using Sekisho.Live.Daemon;
using Sekisho.Packets;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>The daemon's configuration pieces without a network: rules file, interposition record, ip commands, options.</summary>
public sealed class DaemonConfigurationTests
{
    [Fact]
    public void LoadRules_MissingFile_IsAnEmptyRuleset()
    {
        var ruleset = LiveDaemon.LoadRules(Path.Combine(Path.GetTempPath(), $"sekisho-none-{Guid.NewGuid():N}"));
        Assert.Empty(ruleset.Tables);
    }

    [Fact]
    public void LoadRules_BrokenFile_ThrowsWithRestoresMessage()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "*filter\n-A INPUT -p tcp --dport 22 -j NOPE\nCOMMIT\n");
            var error = Assert.Throws<InvalidDataException>(() => LiveDaemon.LoadRules(path));
            Assert.StartsWith($"cannot load {path}:\n", error.Message, StringComparison.Ordinal);
            Assert.Contains("Error occurred at line: 2", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadRules_SavedFile_LoadsItsRules()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, SeedRulesets.Seed000Saved);
            var ruleset = LiveDaemon.LoadRules(path);
            Assert.Equal(4, ruleset.Tables.Sum(t => t.Chains.Sum(c => c.Rules.Count)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void InterpositionRecord_SavedThenLoaded_IsTheSame()
    {
        string directory = Directory.CreateTempSubdirectory("sekisho-record-").FullName;
        try
        {
            var record = new InterpositionRecord("sekisho-4026531840", FailMode.Closed, Server1());
            record.Save(directory);
            var loaded = InterpositionRecord.Load(directory)!;
            Assert.Equal("sekisho-4026531840", loaded.Namespace);
            Assert.Equal(FailMode.Closed, loaded.Mode);
            Assert.Equal(record.Interfaces.Format(), loaded.Interfaces.Format());

            InterpositionRecord.Delete(directory);
            Assert.Null(InterpositionRecord.Load(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ConfigureCommands_GiveLinkAddressesRoutesAndNeighboursInOrder()
    {
        var commands = HostQuery.ConfigureCommands(Server1(), "eth0").Select(c => string.Join(' ', c)).ToList();
        Assert.Equal(
        [
            "link set dev eth0 address 0a:11:d1:09:77:ce mtu 1500 up",
            "addr add 10.1.51.165/16 brd + dev eth0",
            "route replace default via 10.1.0.1 dev eth0",
            "neigh replace 10.1.0.1 lladdr 0a:a2:e8:49:27:a3 dev eth0 nud permanent",
        ], commands);
    }

    [Theory]
    [InlineData("", "no interface to stand in front of (--interface NAME)")]
    [InlineData("--interface eth0 --fail sometimes", "--fail takes `open' or `closed'")]
    [InlineData("--interface eth0 --interface eth0", "an interface is named twice")]
    [InlineData("--interface", "option `--interface' needs an interface name")]
    [InlineData("--frobnicate", "unknown option `--frobnicate'")]
    public void Options_Wrong_ExitTwoWithTheReason(string args, string reason)
    {
        var result = KernelEnvironment.Exec(DaemonProcess.Executable, ["daemon", .. args.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith($"sekisho daemon: {reason}\nUsage: sekisho daemon --interface NAME", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public void Cleanup_NothingRecorded_SaysSo()
    {
        string run = Directory.CreateTempSubdirectory("sekisho-run-").FullName;
        try
        {
            var result = KernelEnvironment.Exec("env", [$"SEKISHO_RUN_DIR={run}", DaemonProcess.Executable, "daemon", "--cleanup"]);
            Assert.Equal(0, result.ExitCode);
            Assert.Equal("sekisho daemon: nothing to clean up\n", result.Stdout);
        }
        finally
        {
            Directory.Delete(run, recursive: true);
        }
    }

    private static HostDescription Server1()
    {
        var host = new HostDescription { HostName = "server1" };
        var eth0 = new HostInterface("eth0", MacAddress.Parse("0a:11:d1:09:77:ce"));
        eth0.Addresses.Add((Ipv4Address.Parse("10.1.51.165"), 16));
        host.Interfaces.Add(eth0);
        host.Routes.Add(new HostRoute(default, 0, Ipv4Address.Parse("10.1.0.1"), "eth0", default));
        host.Neighbours.Add(new HostNeighbour(Ipv4Address.Parse("10.1.0.1"), MacAddress.Parse("0a:a2:e8:49:27:a3"), "eth0"));
        return host;
    }
}
