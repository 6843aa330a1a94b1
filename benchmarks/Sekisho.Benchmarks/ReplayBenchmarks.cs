using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.Packets.Capture;

namespace Sekisho.Benchmarks;

/// <summary>
/// Packets per second of a capture replay: the pcap reader, then each frame through the host as
/// <c>sekisho replay</c> runs it (IP checks, conntrack, PREROUTING, routing, INPUT, the host's own answers), for
/// rulesets of 10 to 10,000 rules.
/// </summary>
/// <remarks>
/// The capture holds TCP connections (handshake, data, close), UDP exchanges and pings from many clients. The rules
/// are port and address rules the traffic does not match, behind a connection-tracking rule, so every packet walks
/// the whole chain, as in a linear ruleset's worst case. The clock follows the capture's timestamps, shifted on
/// each pass so that time only moves forward.
/// </remarks>
[MemoryDiagnoser]
public class ReplayBenchmarks
{
    private const int Flows = 256;

    private readonly ShiftedClock _clock = new();
    private byte[] _capture = [];
    private NetNamespace _net = null!;
    private NetDevice _eth0 = null!;

    [Params(10, 100, 1_000, 10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new MemoryRulesetStore();
        var output = new ToolOutput(TextWriter.Null, TextWriter.Null);
        new RestoreCommand(store, LibcNameService.Instance).Run([], new MemoryStream(Encoding.UTF8.GetBytes(Ruleset(Rules))), output);
        var host = new HostModel();
        var mac = MacAddress.Parse("02:00:00:00:00:01");
        _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, mac);
        host.AddAddress(_eth0, Ipv4Address.Parse("192.0.2.1"), 24);
        host.AddDefaultRoute(Ipv4Address.Parse("192.0.2.254"), _eth0);
        host.AddNeighbour(Ipv4Address.Parse("192.0.2.254"), MacAddress.Parse("02:00:00:00:00:fe"));
        host.TcpListeners.Add(80);
        _net = new NetNamespace(host, _clock);
        _net.ClassifierMode = ClassifierMode.Linear; // the linear walk these numbers document; ClassifierBenchmarks measure the classifier
        _net.Load(store.Ruleset);
        (_capture, int packets) = Capture(mac);
        if (packets != Flows * 4)
        {
            throw new InvalidOperationException($"The capture holds {packets} packets, not {Flows * 4}.");
        }
    }

    /// <summary>Every packet of the capture, read and received; time and allocation are reported per packet.</summary>
    [Benchmark(OperationsPerInvoke = Flows * 4)]
    public int Replay()
    {
        using var reader = CaptureReader.Open(new MemoryStream(_capture, writable: false), out _)!;
        _clock.NextPass();
        int delivered = 0;
        while (reader.TryRead(out var captured))
        {
            _clock.Set(captured.Timestamp);
            delivered += _net.Receive(_eth0, captured.Data.Span).Fate == PacketFate.Delivered ? 1 : 0;
        }

        return delivered;
    }

    internal static string Ruleset(int rules)
    {
        var random = new Random(11);
        var text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        text.Append("-A INPUT -m conntrack --ctstate INVALID -j DROP\n");
        for (int i = 0; i < rules; i++)
        {
            string address = $"10.{random.Next(256)}.{random.Next(256)}.0/24";
            text.Append(random.Next(4) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -s {address} -p tcp -m tcp --dport {random.Next(1, 1024)} -j DROP\n"),
                1 => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -p udp -m udp --dport {random.Next(2000, 3000)} -j DROP\n"),
                2 => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -s {address} -j REJECT\n"),
                _ => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -p tcp -m multiport --dports {random.Next(3000, 4000)},{random.Next(4000, 5000)} -j DROP\n"),
            });
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    private static (byte[] Capture, int Packets) Capture(MacAddress host)
    {
        var peer = MacAddress.Parse("02:00:00:00:00:fe");
        var server = Ipv4Address.Parse("192.0.2.1");
        var random = new Random(3);
        var frames = new List<byte[]>();
        for (int flow = 0; flow < Flows; flow++)
        {
            var client = new Ipv4Address(0x0B000000u | (uint)random.Next(1 << 24));
            var ip = new IpFields(client, server) { DontFragment = true };
            ushort port = (ushort)random.Next(1024, 65536);
            switch (flow % 4)
            {
                case 0:
                case 1:
                    uint seq = (uint)random.Next();
                    frames.Add(PacketBuilder.Tcp(ip, port, 80, TcpHeader.Syn, seq, 0, 64240));
                    frames.Add(PacketBuilder.Tcp(ip, port, 80, TcpHeader.Ack, seq + 1, 1, 502));
                    frames.Add(PacketBuilder.Tcp(ip, port, 80, TcpHeader.Ack | TcpHeader.Psh, seq + 1, 1, 502, payload: new byte[200]));
                    frames.Add(PacketBuilder.Tcp(ip, port, 80, TcpHeader.Fin | TcpHeader.Ack, seq + 201, 1, 502));
                    break;
                case 2:
                    for (int i = 0; i < 4; i++)
                    {
                        frames.Add(PacketBuilder.Udp(ip, port, 53, new byte[40]));
                    }

                    break;
                default:
                    for (ushort i = 1; i <= 4; i++)
                    {
                        frames.Add(PacketBuilder.Echo(ip, port, i, new byte[56]));
                    }

                    break;
            }
        }

        string path = Path.Combine(Path.GetTempPath(), $"sekisho-replay-bench-{Environment.ProcessId}.pcap");
        try
        {
            using (var writer = new PcapWriter(path))
            {
                var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
                foreach (var datagram in frames)
                {
                    writer.Write(PacketBuilder.Ethernet(host, peer, datagram), time);
                    time = time.AddMilliseconds(1);
                }

                writer.Commit();
            }

            return (File.ReadAllBytes(path), frames.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>The capture's time, moved an hour on at each pass so that it never goes back.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private TimeSpan _shift;
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public void NextPass() => _shift += TimeSpan.FromHours(1);

        public void Set(DateTimeOffset time) => _now = time + _shift;
    }
}
