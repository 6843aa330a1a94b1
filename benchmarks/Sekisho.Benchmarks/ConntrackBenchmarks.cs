using System.Text;
using BenchmarkDotNet.Attributes;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>
/// The connection tracking table: memory per entry and lookups per second, each against a baseline measured in
/// the same run — a <see cref="Dictionary{TKey, TValue}"/> holding the same connections under both of their
/// tuples (what a straightforward table would do).
/// </summary>
/// <remarks>
/// <see cref="Fill"/> and <see cref="FillDictionary"/> report bytes allocated per entry (the connection and the
/// table's share); the lookups report time per lookup of a random mix of original and reply tuples.
/// </remarks>
[MemoryDiagnoser]
public class ConntrackBenchmarks
{
    private const int Lookups = 1024;

    private ConntrackTuple[] _originals = [];
    private ConntrackTuple[] _replies = [];
    private ConntrackTuple[] _probes = [];
    private ConntrackTable _table = null!;
    private Dictionary<ConntrackTuple, Connection> _dictionary = [];

    [Params(1_000, 100_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        _originals = new ConntrackTuple[Entries];
        _replies = new ConntrackTuple[Entries];
        for (int i = 0; i < Entries; i++)
        {
            var source = new Ipv4Address(0x0A000000u | (uint)random.Next(1 << 24));
            var destination = new Ipv4Address(0xC0000200u | (uint)random.Next(256));
            var tuple = new ConntrackTuple(source, destination, (byte)(i % 2 == 0 ? 6 : 17), (ushort)random.Next(1024, 65536),
                (ushort)random.Next(1, 1024));
            ConntrackTable.TryInvert(tuple, out var reply);
            _originals[i] = tuple;
            _replies[i] = reply;
        }

        _table = Fill();
        _dictionary = FillDictionary();
        _probes = new ConntrackTuple[Lookups];
        for (int i = 0; i < Lookups; i++)
        {
            int index = random.Next(Entries);
            _probes[i] = random.Next(2) == 0 ? _originals[index] : _replies[index];
        }
    }

    /// <summary>A table of <see cref="Entries"/> connections, built entry by entry (bytes per entry).</summary>
    [Benchmark(OperationsPerInvoke = 1)]
    [BenchmarkCategory("memory")]
    public ConntrackTable Fill()
    {
        var table = new NetNamespace(new HostModel()).Conntrack;
        table.Max = 0;
        for (int i = 0; i < _originals.Length; i++)
        {
            table.Add(new Connection(_originals[i], _replies[i]), 432000 * NetNamespace.Hz);
        }

        return table;
    }

    /// <summary>The baseline: the same connections in a dictionary under both tuples.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = 1)]
    [BenchmarkCategory("memory")]
    public Dictionary<ConntrackTuple, Connection> FillDictionary()
    {
        var dictionary = new Dictionary<ConntrackTuple, Connection>();
        for (int i = 0; i < _originals.Length; i++)
        {
            var ct = new Connection(_originals[i], _replies[i]);
            dictionary[_originals[i]] = ct;
            dictionary[_replies[i]] = ct;
        }

        return dictionary;
    }

    /// <summary>Lookups in the conntrack table (<c>__nf_conntrack_find_get</c>).</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("lookup")]
    public int Lookup()
    {
        int found = 0;
        uint now = _table.Now32;
        foreach (var probe in _probes)
        {
            found += _table.Find(probe, ConntrackZone.Default, now, out _) is null ? 0 : 1;
        }

        return found;
    }

    /// <summary>The baseline: lookups in the dictionary.</summary>
    [Benchmark(OperationsPerInvoke = Lookups)]
    [BenchmarkCategory("lookup")]
    public int DictionaryLookup()
    {
        int found = 0;
        foreach (var probe in _probes)
        {
            found += _dictionary.TryGetValue(probe, out _) ? 1 : 0;
        }

        return found;
    }
}
