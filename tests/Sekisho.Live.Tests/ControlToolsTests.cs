using System.Text.RegularExpressions;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>The iptables tools through the control socket: the same bytes as against a store, on the live engine.</summary>
public sealed partial class ControlToolsTests : IDisposable
{
    private readonly LiveDaemonFixture _daemon = new();

    public static TheoryData<string[]> Sessions => new()
    {
        new[]
        {
            "iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix \"[INPUT]\"",
            "iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP",
            "iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT",
            "iptables -A OUTPUT -p icmp -j LOG --log-prefix \"[OUTPUT] \"",
            "iptables -L",
            "iptables -L -n -v --line-numbers",
            "iptables -S",
            "iptables-save",
            "iptables-save -c -t filter",
        },
        new[]
        {
            "iptables -N LOGDROP",
            "iptables -A LOGDROP -j LOG",
            "iptables -A LOGDROP -j DROP",
            "iptables -X LOGDROP",
            "iptables -D INPUT -p tcp --dport 80 -j ACCEPT",
            "iptables -A INPUT -p tcp --dport 99999 -j ACCEPT",
            "iptables -A INPUT --bogus",
            "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
            "iptables -t mangle -L",
            "iptables -t nosuch -L",
            "iptables -P INPUT DROP",
            "iptables -E LOGDROP DROPLOG",
            "iptables -L -v -n",
            "iptables-save",
            "iptables-save -t raw",
            "iptables -h",
        },
    };

    [Theory]
    [MemberData(nameof(Sessions))]
    public void Tools_ThroughSocket_SameOutputAsMemoryStore(string[] session)
    {
        var reference = new SekishoTools(new MemoryRulesetStore());
        foreach (string command in session)
        {
            var expected = reference.Run(command);
            var actual = _daemon.Run(command);
            Assert.Equal(Normalise(expected), Normalise(actual));
        }
    }

    [Fact]
    public void Restore_ThroughSocket_SameOutputAsMemoryStore()
    {
        const string rules = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p icmp -j ACCEPT
            -A INPUT -i lo -j ACCEPT
            -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
            -A INPUT -j REJECT --reject-with icmp-host-prohibited
            COMMIT

            """;
        var reference = new SekishoTools(new MemoryRulesetStore());
        foreach (var (command, stdin) in new[]
                 {
                     ("iptables-restore", rules),
                     ("iptables-restore --noflush", "*filter\n-A INPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n"),
                     ("iptables-restore", "*filter\n-A INPUT -p nosuchproto -j ACCEPT\nCOMMIT\n"),
                     ("iptables-restore", "*filter\n-A INPUT -j ACCEPT\n"),
                     ("iptables-save", string.Empty),
                 })
        {
            Assert.Equal(Normalise(reference.Run(command, stdin)), Normalise(_daemon.Run(command, stdin)));
        }
    }

    [Fact]
    public void Restore_FileArgument_ResolvedInClientsDirectory()
    {
        File.WriteAllText(Path.Combine(_daemon.Root, "rules.v4"), "*filter\n-A INPUT -p icmp -j DROP\nCOMMIT\n");
        var result = _daemon.Run("iptables-restore rules.v4");
        Assert.Equal(new ToolResult(0, "", ""), result);
        Assert.Equal("-P INPUT ACCEPT\n-A INPUT -p icmp -j DROP\n", _daemon.Run("iptables -S INPUT").Stdout);
        Assert.Equal(new ToolResult(1, "", "Can't open missing.v4: No such file or directory\n"), _daemon.Run("iptables-restore missing.v4"));
    }

    [Fact]
    public void Change_TakesEffectOnTheNextPacket()
    {
        Assert.Equal(PacketFate.Delivered, _daemon.Ping().Fate);
        Assert.Equal(0, _daemon.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP").ExitCode);
        Assert.Equal(PacketFate.Dropped, _daemon.Ping().Fate);
        Assert.Equal(0, _daemon.Run("iptables -D INPUT 1").ExitCode);
        Assert.Equal(PacketFate.Delivered, _daemon.Ping().Fate);
    }

    [Fact]
    public void Counters_AreLive_InListingsSaveAndZero()
    {
        _daemon.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix \"[INPUT]\"");
        for (int i = 0; i < 3; i++)
        {
            _daemon.Ping();
        }

        Assert.Contains("\n       3      252 LOG        1    --  *      *       10.1.77.146          0.0.0.0/0            LOG flags 0 level 4 prefix \"[INPUT]\"\n",
            _daemon.Run("iptables -L INPUT -v -n -x").Stdout, StringComparison.Ordinal);
        Assert.Contains("[3:252] -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix \"[INPUT]\"\n",
            _daemon.Run("iptables-save -c").Stdout, StringComparison.Ordinal);
        Assert.Contains(":INPUT ACCEPT [3:252]", _daemon.Run("iptables-save -c").Stdout, StringComparison.Ordinal);

        Assert.Equal(0, _daemon.Run("iptables -Z INPUT").ExitCode);
        Assert.Contains("[0:0] -A INPUT -s 10.1.77.146/32", _daemon.Run("iptables-save -c").Stdout, StringComparison.Ordinal);
        _daemon.Ping();
        Assert.Contains("[1:84] -A INPUT -s 10.1.77.146/32", _daemon.Run("iptables-save -c").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Conntrack_ListsCountsAndFlushesTheLiveTable()
    {
        _daemon.Run("iptables -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT");
        _daemon.Ping();
        var list = _daemon.Run("conntrack -L");
        Assert.Equal(0, list.ExitCode);
        Assert.Matches(@"^icmp     1 \d+ src=10\.1\.77\.146 dst=10\.1\.51\.165 type=8 code=0 id=1496 src=10\.1\.51\.165 dst=10\.1\.77\.146 type=0 code=0 id=1496 mark=0 use=1\n$", list.Stdout);
        Assert.Equal("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n", list.Stderr);
        Assert.Equal(new ToolResult(0, "1\n", ""), _daemon.Run("conntrack -C"));
        Assert.Equal(new ToolResult(0, "", "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n"),
            _daemon.Run("conntrack -F"));
        Assert.Equal(new ToolResult(0, "0\n", ""), _daemon.Run("conntrack -C"));
    }

    public void Dispose() => _daemon.Dispose();

    // iptables-save's comment lines carry the time of the run.
    private static ToolResult Normalise(ToolResult result) =>
        result with { Stdout = SaveTime().Replace(result.Stdout, "on TIME") };

    [GeneratedRegex(@"on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}")]
    private static partial Regex SaveTime();
}
