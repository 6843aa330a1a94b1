using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>A namespace that forwards between eth0 and eth1 with a restored ruleset, and packets to send through it.</summary>
internal sealed class ClassBenchEngine
{
    private readonly NetDevice _eth0;
    private readonly NetDevice _eth1;
    private readonly Packet[] _packets;
    private readonly byte[][] _datagrams;

    /// <summary>Restores <paramref name="rules"/> into a namespace compiled in <paramref name="mode"/>.</summary>
    public ClassBenchEngine(string rules, ClassifierMode mode, IEnumerable<byte[]> datagrams)
    {
        var store = new MemoryRulesetStore();
        var errors = new StringWriter();
        int status = new RestoreCommand(store, LibcNameService.Instance)
            .Run([], new MemoryStream(Encoding.UTF8.GetBytes(rules)), new ToolOutput(TextWriter.Null, errors));
        if (status != 0)
        {
            throw new InvalidOperationException("The benchmark's ruleset does not restore: " + errors);
        }

        var host = new HostModel();
        _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:01"));
        _eth1 = host.AddDevice("eth1", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:02"));
        host.AddAddress(_eth0, Ipv4Address.Parse("192.0.2.1"), 24);
        host.AddAddress(_eth1, Ipv4Address.Parse("198.51.100.1"), 24);
        host.RespondsLocally = false;
        Net = new NetNamespace(host) { ClassifierMode = mode, Random = new Random(1) };
        Net.Load(store.Ruleset);
        _datagrams = datagrams.ToArray();
        _packets = _datagrams.Select(d =>
        {
            var packet = new Packet();
            packet.LoadDatagram(d);
            return packet;
        }).ToArray();
    }

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <summary>The number of packets.</summary>
    public int Count => _packets.Length;

    /// <summary>
    /// Sends every packet afresh (reloaded, as NAT rewrites them) through <paramref name="hook"/> as a new connection,
    /// then forgets the connections; the sum of the verdicts.
    /// </summary>
    public uint RunNew(Hook hook)
    {
        uint verdicts = 0;
        var packets = _packets;
        for (int i = 0; i < packets.Length; i++)
        {
            packets[i].LoadDatagram(_datagrams[i]);
            verdicts += Net.Evaluate(hook, packets[i], _eth0, null);
        }

        Net.Conntrack.Flush();
        return verdicts;
    }

    /// <summary>Sends the first <paramref name="count"/> packets through <paramref name="hook"/>; the sum of the verdicts.</summary>
    public uint Run(Hook hook, int count)
    {
        uint verdicts = 0;
        var packets = _packets;
        for (int i = 0; i < count && i < packets.Length; i++)
        {
            verdicts += Net.Evaluate(hook, packets[i], _eth0, hook == Hook.PreRouting ? null : _eth1);
        }

        return verdicts;
    }
}
