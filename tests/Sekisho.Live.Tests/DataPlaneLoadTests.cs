using System.Globalization;
using System.Text.RegularExpressions;
using Sekisho.TestSupport;
using Xunit.Abstractions;

namespace Sekisho.Live.Tests;

/// <summary>The daemon's data plane under load: bulk TCP and flood ping through a NAT gateway.</summary>
public sealed partial class DataPlaneLoadTests(ITestOutputHelper output)
{
    [KernelFact]
    public void GatewayUnderLoad_AfterWarmUp_AllocatesNothingPerPacket()
    {
        KernelEnvironment.EnsureAvailable();
        using var network = new RouterNetwork();
        using var firewall = new DaemonFirewall(network.RouterNamespace, ["lan", "wan"]);
        firewall.Load(LiveScenario.GatewayRules);

        // Warm-up: the engine's pool grows to GSO super-frames, conntrack and NAT make their first entries.
        Traffic(network, megabytes: 8, pings: 2000);
        var (packets1, allocated1) = Status(firewall);

        Traffic(network, megabytes: 16, pings: 8000);
        Traffic(network, megabytes: 16, pings: 8000);
        var (packets2, allocated2) = Status(firewall);

        output.WriteLine($"after warm-up: {packets1} packets, {allocated1} bytes; then {packets2 - packets1} packets, {allocated2 - allocated1} bytes");
        Assert.True(packets2 - packets1 >= 20_000, $"only {packets2 - packets1} packets crossed the daemon");
        // Less than a byte per packet, where an allocation per packet would be 24 bytes at least (the new connections'
        // conntrack entries are allocated once per connection).
        Assert.True(allocated2 - allocated1 < packets2 - packets1,
            $"{allocated2 - allocated1} bytes allocated over {packets2 - packets1} packets");
    }

    // A bulk TCP transfer from the client to the external host (masqueraded), then a flood ping; both cross the router.
    private static void Traffic(RouterNetwork network, int megabytes, int pings)
    {
        var sink = new Thread(() => SeedNetwork.Run(network.ExternalNamespace, ["sh", "-c", "nc -n -l 9000 >/dev/null"])) { IsBackground = true };
        sink.Start();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!SeedNetwork.Run(network.ExternalNamespace, ["ss", "-Hltn", "sport = :9000"]).Stdout.Contains("LISTEN", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && sink.IsAlive, "nc -l 9000 does not listen");
            Thread.Sleep(20);
        }

        var send = SeedNetwork.Run(network.ClientNamespace,
            ["sh", "-c", $"dd if=/dev/zero bs=64k count={megabytes * 16} status=none | nc -n -N {RouterNetwork.External} 9000"]);
        Assert.True(send.ExitCode == 0, send.ToString());
        Assert.True(sink.Join(TimeSpan.FromSeconds(30)), "the transfer did not end");
        var flood = SeedNetwork.Run(network.ClientNamespace,
            ["ping", "-q", "-f", "-l", "16", "-c", pings.ToString(CultureInfo.InvariantCulture), RouterNetwork.External]);
        Assert.True(flood.ExitCode == 0, flood.ToString());
    }

    private static (long Packets, long Allocated) Status(DaemonFirewall firewall)
    {
        var status = firewall.Tool(["service", "status"]);
        Assert.True(status.ExitCode == 0, status.ToString());
        var packets = PacketsSeen().Match(status.Stdout);
        var plane = DataPlaneLine().Match(status.Stdout);
        Assert.True(packets.Success && plane.Success, status.Stdout);
        return (long.Parse(packets.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(plane.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"\nPackets seen: (\d+)\n")]
    private static partial Regex PacketsSeen();

    [GeneratedRegex(@"\nData plane: \d+ threads?, (\d+) bytes allocated, \d+ frames refused on output\n")]
    private static partial Regex DataPlaneLine();
}
