using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>
/// Packets per second through the linear evaluator (ipt_do_table's walk) and through the whole input path, for
/// rulesets of 10 to 10,000 rules that the packets traverse to the end (the worst case of a linear walk).
/// </summary>
/// <remarks>Each invocation processes a batch of <see cref="Batch"/> packets; the reported time and allocation are per packet.</remarks>
[MemoryDiagnoser]
public class EvaluatorBenchmarks
{
    private const int Batch = 256;

    private NetNamespace _net = null!;
    private NetDevice _eth0 = null!;
    private byte[][] _frames = [];
    private Packet[] _packets = [];

    [Params(10, 100, 1_000, 10_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new MemoryRulesetStore();
        var output = new ToolOutput(TextWriter.Null, TextWriter.Null);
        new RestoreCommand(store, LibcNameService.Instance).Run([], new MemoryStream(Encoding.UTF8.GetBytes(Ruleset(Rules))), output);
        var host = new HostModel();
        _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:01"));
        host.AddAddress(_eth0, Ipv4Address.Parse("192.0.2.1"), 24);
        host.RespondsLocally = false;
        _net = new NetNamespace(host);
        _net.ClassifierMode = ClassifierMode.Linear; // the linear walk these numbers document; ClassifierBenchmarks measure the classifier
        _net.Load(store.Ruleset);
        var random = new Random(7);
        _frames = new byte[Batch][];
        _packets = new Packet[Batch];
        for (int i = 0; i < Batch; i++)
        {
            var ip = new IpFields(new Ipv4Address((uint)random.Next() | 0x0B000000u), Ipv4Address.Parse("192.0.2.1"));
            var datagram = PacketBuilder.Tcp(ip, (ushort)random.Next(1024, 65536), (ushort)random.Next(1, 1024), TcpHeader.Syn);
            _frames[i] = PacketBuilder.Ethernet(_eth0.HardwareAddress, MacAddress.Parse("02:00:00:00:00:fe"), datagram);
            _packets[i] = new Packet();
            _packets[i].LoadFrame(_frames[i], 14);
            _packets[i].InDevice = _eth0;
        }
    }

    /// <summary>The filter table's INPUT chain alone.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public uint Evaluator()
    {
        uint verdicts = 0;
        foreach (var packet in _packets)
        {
            verdicts += _net.Evaluate(Hook.LocalIn, packet, _eth0, null);
        }

        return verdicts;
    }

    /// <summary>Frames received on eth0: IP checks, PREROUTING, routing, INPUT, delivery.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int Receive()
    {
        int delivered = 0;
        foreach (var frame in _frames)
        {
            delivered += _net.Receive(_eth0, frame).Fate == PacketFate.Delivered ? 1 : 0;
        }

        return delivered;
    }

    /// <summary>Rules on addresses, protocols and interfaces that the benchmark's packets (from 11.0.0.0/8) never match.</summary>
    internal static string Ruleset(int rules, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < rules; i++)
        {
            string address = $"10.{random.Next(256)}.{random.Next(256)}.0";
            text.Append(random.Next(3) switch
            {
                0 => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -s {address}/24 -p tcp -j DROP\n"),
                1 => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -s {address}/16 -d 192.0.2.0/24 -j ACCEPT\n"),
                _ => string.Create(CultureInfo.InvariantCulture, $"-A INPUT -i eth1 -s {address}/24 -j DROP\n"),
            });
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }
}
