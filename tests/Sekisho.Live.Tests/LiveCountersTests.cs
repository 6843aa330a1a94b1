using System.Text.RegularExpressions;

namespace Sekisho.Live.Tests;

/// <summary>Counters while rules change under flowing packets: no packet is lost from a rule the edit kept.</summary>
public sealed partial class LiveCountersTests : IDisposable
{
    private readonly LiveDaemonFixture _daemon = new();

    [Fact]
    public void RuleEdits_WhilePacketsFlow_LoseNoCounts()
    {
        Assert.Equal(0, _daemon.Run("iptables -A INPUT -s 10.1.77.146 -p icmp -m comment --comment counted").ExitCode);
        const int packets = 3000;
        var feeder = new Thread(() =>
        {
            for (int i = 0; i < packets; i++)
            {
                _daemon.Ping();
            }
        });
        feeder.Start();

        int edits = 0;
        while (feeder.IsAlive || edits < 30)
        {
            // Appends, inserts in front of the counted rule (which moves it) and deletes: each replaces the table.
            int port = 1000 + edits;
            string command = (edits % 3) switch
            {
                0 => $"iptables -A INPUT -p tcp --dport {port} -j ACCEPT",
                1 => $"iptables -I INPUT 1 -p udp --dport {port} -j ACCEPT",
                _ => $"iptables -D INPUT -p tcp --dport {port - 2} -j ACCEPT",
            };
            Assert.Equal(0, _daemon.Run(command).ExitCode);
            edits++;
        }

        feeder.Join();
        var counted = CountedRule().Match(_daemon.Run("iptables-save -c").Stdout);
        Assert.True(counted.Success);
        Assert.Equal($"{packets}:{packets * 84}", counted.Groups[1].Value);
        Assert.Equal(packets, _daemon.Firewall.PacketsSeen);
        Assert.True(_daemon.Server.Store.Replacements > 30);
    }

    public void Dispose() => _daemon.Dispose();

    [GeneratedRegex(@"\[(\d+:\d+)\] -A INPUT -s 10\.1\.77\.146/32 -p icmp -m comment --comment counted\n")]
    private static partial Regex CountedRule();
}
