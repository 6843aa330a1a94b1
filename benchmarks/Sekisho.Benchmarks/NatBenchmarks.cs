using System.Text;
using BenchmarkDotNet.Attributes;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>
/// NAT on a router (eth0 10.0.1.1/24 inside, eth1 10.0.2.1/24 outside): new connections per second (first
/// packets, each setting up a binding) and packets per second of established connections, with MASQUERADE and,
/// in the same run, the same traffic with conntrack but without a nat table.
/// </summary>
/// <remarks>Each invocation forwards a batch of <see cref="Batch"/> UDP datagrams; the reported time and allocation are per packet.</remarks>
[MemoryDiagnoser]
public class NatBenchmarks
{
    private const int Batch = 4096;

    private NetNamespace _net = null!;
    private NetDevice _eth0 = null!;
    private byte[][] _frames = [];

    /// <summary>Whether the nat table masquerades the traffic.</summary>
    [Params(false, true)]
    public bool Nat { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new MemoryRulesetStore();
        var output = new ToolOutput(TextWriter.Null, TextWriter.Null);
        string rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
            "-A FORWARD -m state --state NEW,ESTABLISHED -j ACCEPT\nCOMMIT\n" +
            (Nat ? "*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n" +
                "-A POSTROUTING -o eth1 -j MASQUERADE\nCOMMIT\n" : "");
        new RestoreCommand(store, LibcNameService.Instance).Run([], new MemoryStream(Encoding.UTF8.GetBytes(rules)), output);
        var host = new HostModel { Forwarding = true, RespondsLocally = false };
        _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:01:01"));
        var eth1 = host.AddDevice("eth1", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:02:01"));
        host.AddAddress(_eth0, Ipv4Address.Parse("10.0.1.1"), 24);
        host.AddAddress(eth1, Ipv4Address.Parse("10.0.2.1"), 24);
        _net = new NetNamespace(host) { Random = new Random(7) };
        _net.Load(store.Ruleset);
        _frames = new byte[Batch][];
        for (int i = 0; i < Batch; i++)
        {
            var ip = new IpFields(new Ipv4Address(0x0A000100u | (uint)(2 + (i % 200))), Ipv4Address.Parse("10.0.2.2"));
            var datagram = PacketBuilder.Udp(ip, (ushort)(10000 + i), 53, "benchmark payload"u8);
            _frames[i] = PacketBuilder.Ethernet(_eth0.HardwareAddress, MacAddress.Parse("02:00:00:00:00:fe"), datagram);
        }
    }

    /// <summary>Starts every connection afresh.</summary>
    [IterationSetup(Target = nameof(NewConnections))]
    public void Forget() => _net.Conntrack.Flush();

    /// <summary>The first packet of each connection: conntrack entry, nat table, binding, translation.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int NewConnections() => ForwardAll();

    /// <summary>Connections already set up: lookup and translation only.</summary>
    [IterationSetup(Target = nameof(EstablishedPackets))]
    public void Establish()
    {
        _net.Conntrack.Flush();
        ForwardAll();
    }

    /// <summary>Later packets of established connections.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EstablishedPackets() => ForwardAll();

    private int ForwardAll()
    {
        int forwarded = 0;
        foreach (var frame in _frames)
        {
            forwarded += _net.Receive(_eth0, frame).Fate == PacketFate.Forwarded ? 1 : 0;
        }

        return forwarded;
    }
}
