using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.TestSupport;

namespace Sekisho.Iptables.Tests.State;

/// <summary>The state directory: durability, damage reporting, the lock.</summary>
public sealed class StateDirectoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sekisho-state-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Commands_InSeparateStores_SeeEachOthersChanges()
    {
        var first = new SekishoTools(_directory, LibcNameService.Instance);
        Assert.Equal(0, first.Run("iptables -N keep").ExitCode);
        Assert.Equal(0, first.Run("iptables -A INPUT -s 10.0.0.1 -j keep").ExitCode);
        Assert.Equal(0, first.Run("iptables -A keep -c 5 600 -j ACCEPT").ExitCode);

        // A new store reads the file back: chains, rules and counters survive.
        var reopened = new StateDirectory(_directory, LibcNameService.Instance).Load();
        var filter = reopened.Find("filter")!;
        Assert.Single(filter.Find("INPUT")!.Rules);
        var kept = Assert.Single(filter.Find("keep")!.Rules);
        Assert.Equal(5UL, kept.Counters.Packets);
        Assert.Equal(600UL, kept.Counters.Bytes);
    }

    [Theory]
    [InlineData("garbage\n")]
    [InlineData("# Sekisho ruleset 1: tables in creation order, iptables-save -c format\n*filter\n-A INPUT --bogus\nCOMMIT\n")]
    [InlineData("# Sekisho ruleset 1: tables in creation order, iptables-save -c format\n*filter\n:INPUT ACCEPT [0:0]\n")]
    public void DamagedStateFile_IsReportedAndLeftUntouched(string content)
    {
        string path = Path.Combine(_directory, "ruleset");
        File.WriteAllText(path, content);
        var tools = new SekishoTools(_directory, LibcNameService.Instance);

        var result = tools.Run("iptables -A INPUT -j ACCEPT");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"sekisho: the state file {path} is damaged (", result.Stderr);
        Assert.Equal(content, File.ReadAllText(path));
        Assert.Equal(1, tools.Run("iptables -L").ExitCode);
    }

    [Fact]
    public void FailedCommand_LeavesStateFileByteIdentical()
    {
        var tools = new SekishoTools(_directory, LibcNameService.Instance);
        Assert.Equal(0, tools.Run("iptables -A INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);
        string path = Path.Combine(_directory, "ruleset");
        byte[] before = File.ReadAllBytes(path);

        Assert.NotEqual(0, tools.Run("iptables -A INPUT -j nochain").ExitCode);
        Assert.NotEqual(0, tools.Run("iptables -A INPUT -m tcp --dport 1").ExitCode);
        Assert.NotEqual(0, tools.Run("iptables-restore", "*filter\n-A INPUT -j ACCEPT\n-A INPUT --bogus\nCOMMIT\n").ExitCode);

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public void Lock_HeldElsewhere_FailsAtOnceWithoutWait()
    {
        using var held = XtablesLock.Acquire(Path.Combine(_directory, "xtables.lock"), 0);
        var result = new SekishoTools(_directory, LibcNameService.Instance).Run("iptables -A INPUT -j ACCEPT");
        Assert.Equal(4, result.ExitCode);
        Assert.Equal("Another app is currently holding the xtables lock. Perhaps you want to use the -w option?\n", result.Stderr);
    }
}
