using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Sekisho.Live.Interop;
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

    [KernelFact]
    public void UdpBurst_ManyBatchesThroughTheGateway_AllDeliveredInOrderAndCounted()
    {
        KernelEnvironment.EnsureAvailable();
        const int burst = 500;
        using var network = new RouterNetwork();
        using var firewall = new DaemonFirewall(network.RouterNamespace, ["lan", "wan"]);
        firewall.Load(LiveScenario.GatewayRules);
        using var receiver = NamespaceEntry.Run($"/run/netns/{network.ExternalNamespace}", () =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
            // SO_RCVBUFFORCE (root): room for the whole burst, however late the reading thread runs.
            var size = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(size, 4 << 20);
            socket.SetRawSocketOption(1, 33, size);
            socket.Bind(new IPEndPoint(IPAddress.Any, 9001));
            return socket;
        });
        using var sender = NamespaceEntry.Run($"/run/netns/{network.ClientNamespace}",
            () => new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        sender.Connect(IPAddress.Parse(RouterNetwork.External), 9001);
        var datagram = new byte[64];
        var received = new byte[2048];

        // The first datagram makes the neighbours known, so that the burst does not wait in the ARP queue.
        BinaryPrimitives.WriteInt32BigEndian(datagram, -1);
        sender.Send(datagram);
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(received.AsSpan(0, receiver.Receive(received))));

        var sequence = new List<int>();
        var reader = new Thread(() =>
        {
            try
            {
                while (sequence.Count < burst)
                {
                    int length = receiver.Receive(received);
                    sequence.Add(BinaryPrimitives.ReadInt32BigEndian(received.AsSpan(0, length)));
                }
            }
            catch (SocketException)
            {
                // Nothing for five seconds: the assertion below reports what arrived.
            }
        })
        { IsBackground = true };
        reader.Start();
        for (int i = 0; i < burst; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(datagram, i);
            sender.Send(datagram);
        }

        Assert.True(reader.Join(TimeSpan.FromSeconds(30)), "the receiver did not finish");
        output.WriteLine($"received {sequence.Count} of {burst} datagrams");
        Assert.Equal(Enumerable.Range(0, burst), sequence);
        // UDP stays NEW until a reply: every datagram went through FORWARD's lan-to-wan rule exactly once.
        var save = firewall.Tool(["iptables-save", "-c", "-t", "filter"]);
        Assert.Contains($"[{burst + 1}:{(burst + 1) * (20 + 8 + datagram.Length)}] -A FORWARD -i lan -o wan -j ACCEPT\n", save.Stdout, StringComparison.Ordinal);
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
