using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Classifier;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>
/// A ClassBench filter set (acl1, fw1, ipc1 at 1k, 10k, 100k rules) read at run time from
/// <c>../shared/bench/classbench</c> beside the repository, as iptables rules and as classifier boxes, with
/// ClassBench-style traffic: each packet a uniform random point of a uniformly chosen rule's box.
/// </summary>
/// <remarks>
/// A line is <c>@src/len dst/len sport_lo : sport_hi dport_lo : dport_hi proto/mask flags/mask</c>. The TCP flags
/// column is ignored (iptables' <c>--tcp-flags</c> has other semantics than ClassBench's flag/mask). In every set,
/// rules with port ranges other than 0:65535 have protocol TCP or UDP, so each line is one iptables rule.
/// </remarks>
internal sealed class ClassBenchSet
{
    private ClassBenchSet(string name, RuleBox[] boxes)
    {
        Name = name;
        Boxes = boxes;
    }

    /// <summary>The set's name (<c>acl1_10k</c>).</summary>
    public string Name { get; }

    /// <summary>The rules as boxes, priority = line number.</summary>
    public RuleBox[] Boxes { get; }

    /// <summary>The folder of the sets.</summary>
    public static string Folder => Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "bench", "classbench"));

    /// <summary>Reads a set; a clear error when the data is not beside the repository.</summary>
    public static ClassBenchSet Load(string name)
    {
        string path = Path.Combine(Folder, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"ClassBench set '{name}' not found at {path}: the classifier benchmarks read ../shared/bench/classbench " +
                "relative to the repository root at run time.", path);
        }

        var boxes = new List<RuleBox>();
        foreach (string line in File.ReadLines(path))
        {
            if (line.Length > 0 && line[0] == '@')
            {
                boxes.Add(Parse(line, boxes.Count));
            }
        }

        return new ClassBenchSet(name, [.. boxes]);
    }

    /// <summary>The first <paramref name="count"/> rules of the set.</summary>
    public ClassBenchSet Take(int count) => new($"{Name}[..{count}]", Boxes[..Math.Min(count, Boxes.Length)]);

    /// <summary>The set as a filter table whose FORWARD chain holds one rule per line, ACCEPT and DROP alternating.</summary>
    public string FilterTable()
    {
        var text = new StringBuilder(Boxes.Length * 80);
        text.Append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < Boxes.Length; i++)
        {
            text.Append("-A FORWARD").Append(Rule(Boxes[i])).Append(i % 2 == 0 ? " -j ACCEPT\n" : " -j DROP\n");
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>The iptables criteria of a box: <c>-s</c>, <c>-d</c>, <c>-p</c>, <c>--sport a:b</c>, <c>--dport a:b</c>.</summary>
    public static string Rule(in RuleBox box)
    {
        var text = new StringBuilder();
        if (box.SourceMask != 0)
        {
            text.Append(" -s ").Append(new Ipv4Address(box.Source)).Append('/').Append(RuleBox.PrefixLength(box.SourceMask));
        }

        if (box.DestinationMask != 0)
        {
            text.Append(" -d ").Append(new Ipv4Address(box.Destination)).Append('/').Append(RuleBox.PrefixLength(box.DestinationMask));
        }

        if (box.ProtocolMask != 0)
        {
            text.Append(" -p ").Append(box.Protocol.ToString(CultureInfo.InvariantCulture));
        }

        if (box.SourcePortMin != 0 || box.SourcePortMax != ushort.MaxValue)
        {
            text.Append(CultureInfo.InvariantCulture, $" --sport {box.SourcePortMin}:{box.SourcePortMax}");
        }

        if (box.DestinationPortMin != 0 || box.DestinationPortMax != ushort.MaxValue)
        {
            text.Append(CultureInfo.InvariantCulture, $" --dport {box.DestinationPortMin}:{box.DestinationPortMax}");
        }

        return text.ToString();
    }

    /// <summary><paramref name="count"/> packets, each a uniform random point of a uniformly chosen rule's box.</summary>
    public PacketKey[] Traffic(int count, int seed)
    {
        var random = new Random(seed);
        var keys = new PacketKey[count];
        for (int i = 0; i < count; i++)
        {
            var box = Boxes[random.Next(Boxes.Length)];
            byte protocol = box.ProtocolMask != 0 ? box.Protocol : (byte)(random.Next(2) == 0 ? 6 : 17);
            bool ports = protocol is 6 or 17;
            keys[i] = new PacketKey(
                box.Source | ((uint)random.NextInt64(1L << 32) & ~box.SourceMask),
                box.Destination | ((uint)random.NextInt64(1L << 32) & ~box.DestinationMask),
                protocol,
                ports ? (ushort)random.Next(box.SourcePortMin, box.SourcePortMax + 1) : (ushort)0,
                ports ? (ushort)random.Next(box.DestinationPortMin, box.DestinationPortMax + 1) : (ushort)0);
        }

        return keys;
    }

    /// <summary>A datagram carrying <paramref name="key"/>: TCP, UDP, an ICMP echo, or 8 bytes of another protocol.</summary>
    public static byte[] Datagram(in PacketKey key)
    {
        var ip = new IpFields(new Ipv4Address(key.Source), new Ipv4Address(key.Destination));
        return key.Protocol switch
        {
            6 => PacketBuilder.Tcp(ip, key.SourcePort, key.DestinationPort, TcpHeader.Syn),
            17 => PacketBuilder.Udp(ip, key.SourcePort, key.DestinationPort),
            1 => PacketBuilder.Echo(ip, 1, 1),
            _ => PacketBuilder.Ipv4(ip, key.Protocol, new byte[8]),
        };
    }

    /// <summary>The first rule (line) whose box holds the packet, by brute force: the lookup baseline.</summary>
    public int LinearFirstMatch(in PacketKey key)
    {
        var boxes = Boxes;
        for (int i = 0; i < boxes.Length; i++)
        {
            if (boxes[i].Contains(key))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static RuleBox Parse(string line, int priority)
    {
        var fields = line[1..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
        var box = RuleBox.Any(priority);
        (box.Source, box.SourceMask) = Prefix(fields[0]);
        (box.Destination, box.DestinationMask) = Prefix(fields[1]);
        box.SourcePortMin = ushort.Parse(fields[2], CultureInfo.InvariantCulture);
        box.SourcePortMax = ushort.Parse(fields[4], CultureInfo.InvariantCulture);
        box.DestinationPortMin = ushort.Parse(fields[5], CultureInfo.InvariantCulture);
        box.DestinationPortMax = ushort.Parse(fields[7], CultureInfo.InvariantCulture);
        var protocol = fields[8].Split('/');
        box.ProtocolMask = Convert.ToByte(protocol[1], 16);
        box.Protocol = (byte)(Convert.ToByte(protocol[0], 16) & box.ProtocolMask);
        return box;
    }

    private static (uint Value, uint Mask) Prefix(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        uint mask = RuleBox.PrefixMask(int.Parse(text.AsSpan(slash + 1), CultureInfo.InvariantCulture));
        return (Ipv4Address.Parse(text[..slash]).Value & mask, mask);
    }
}
