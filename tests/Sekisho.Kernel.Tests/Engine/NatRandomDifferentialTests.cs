using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;
using Xunit.Abstractions;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// The randomised differential test of NAT: random nat rulesets (MASQUERADE, SNAT to address ranges, DNAT with
/// port ranges, NETMAP both ways, RETURN/ACCEPT) against random flows (TCP, UDP, ICMP echo) through a router,
/// each first packet answered by its server; every frame out, the counters and the conntrack table must be the
/// kernel's. Source ports are unique per flow, so that no port is drawn at random by the kernel.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class NatRandomDifferentialTests(ITestOutputHelper output)
{
    [KernelFact]
    public void RandomNatRulesets_RandomFlows_FramesCountersAndConntrackLikeKernel()
    {
        int seed = Environment.GetEnvironmentVariable("SEKISHO_RANDOM_SEED") is { } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : 4004;
        int rulesets = 20;
        int flows = 200;
        output.WriteLine($"seed {seed}");
        long sourceTranslated = 0;
        long destinationTranslated = 0;
        for (int round = 0; round < rulesets; round++)
        {
            var random = new Random(seed + round);
            var host = LabHost.Router();
            for (int i = 3; i < 8; i++)
            {
                host.Neighbours.Add((Ipv4Address.Parse($"10.0.1.{i}"), LabHost.PeerMac, "eth0"));
                host.Neighbours.Add((Ipv4Address.Parse($"10.0.2.{i}"), LabHost.SecondPeerMac, "eth1"));
            }

            string rules = Ruleset(random);
            using var lab = new LabPair(host, rules);
            lab.Sekisho.Net.Random = new Random(seed + round);
            ushort port = 20000;
            for (int f = 0; f < flows; f++)
            {
                var datagram = Flow(random, port++);
                string step = $"seed {seed + round} flow {f}";
                lab.InjectDatagram("eth0", datagram, step);
                var forwarded = lab.LastFrames.FirstOrDefault(x => x.Interface == "eth1");
                if (forwarded is not null && random.Next(4) != 0)
                {
                    var answer = Answer(forwarded.Bytes[14..]);
                    if (answer is not null)
                    {
                        lab.InjectDatagram("eth1", answer, step + " answer");
                    }
                }
            }

            string counters = lab.AssertCounters($"seed {seed + round}");
            sourceTranslated += PacketsOf(counters, "--ctstate SNAT");
            destinationTranslated += PacketsOf(counters, "--ctstate DNAT");
            lab.AssertConntrack(NormaliseConntrack, $"seed {seed + round}");
            output.WriteLine($"seed {seed + round}: {flows} flows\n{rules}");
        }

        // The rulesets must translate: many forwarded packets belong to source- and destination-translated connections.
        output.WriteLine($"{sourceTranslated} packets of SNAT connections, {destinationTranslated} of DNAT connections");
        Assert.True(sourceTranslated > rulesets * flows / 10, $"only {sourceTranslated} packets were source-translated");
        Assert.True(destinationTranslated > rulesets * flows / 50, $"only {destinationTranslated} packets were destination-translated");
    }

    private static long PacketsOf(string counters, string rule) =>
        counters.Split('\n').Where(l => l.EndsWith(rule, StringComparison.Ordinal))
            .Sum(l => long.Parse(l[1..l.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture));

    private static string Ruleset(Random random)
    {
        var rules = new StringBuilder();
        rules.Append("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        string[] protocols = ["", "-p tcp ", "-p udp ", "-p icmp "];
        int count = random.Next(2, 8);
        for (int i = 0; i < count; i++)
        {
            string source = random.Next(3) == 0 ? $"-s 10.0.1.{random.Next(2, 8)}/{random.Next(30, 33)} " : "";
            string protocol = protocols[random.Next(protocols.Length)];
            switch (random.Next(9))
            {
                case 0:
                    rules.Append($"-A POSTROUTING -o eth1 {source}{protocol}-j MASQUERADE\n");
                    break;
                case 1:
                    int low = random.Next(100, 110);
                    rules.Append($"-A POSTROUTING -o eth1 {source}{protocol}-j SNAT --to-source 10.0.2.{low}-10.0.2.{low + random.Next(0, 6)}{(random.Next(2) == 0 ? " --persistent" : "")}\n");
                    break;
                case 2:
                    rules.Append($"-A POSTROUTING -o eth1 {source}-j NETMAP --to 10.0.8.0/24\n");
                    break;
                case 3:
                    rules.Append($"-A POSTROUTING {source}{protocol}-j {(random.Next(2) == 0 ? "RETURN" : "ACCEPT")}\n");
                    break;
                case 4:
                    rules.Append($"-A PREROUTING -i eth0 -d 10.0.2.{random.Next(2, 8)} -p tcp --dport 8080 -j DNAT --to-destination 10.0.2.{random.Next(2, 8)}:{80 + random.Next(3)}\n");
                    break;
                case 5:
                    rules.Append($"-A PREROUTING -i eth0 -p udp --dport 53 -j DNAT --to-destination 10.0.2.{random.Next(2, 8)}:5300-5303\n");
                    break;
                case 6:
                    rules.Append("-A PREROUTING -i eth0 -d 10.0.3.0/24 -j NETMAP --to 10.0.2.0/24\n");
                    break;
                case 7:
                    rules.Append($"-A PREROUTING -i eth0 {source}-d 10.0.3.{random.Next(2, 8)} -j DNAT --to-destination 10.0.2.{random.Next(2, 8)}\n");
                    break;
                default:
                    rules.Append($"-A PREROUTING {source}{protocol}-j RETURN\n");
                    break;
            }
        }

        rules.Append("COMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        rules.Append("-A FORWARD -m state --state NEW\n-A FORWARD -m state --state ESTABLISHED\n-A FORWARD -m state --state RELATED\n");
        rules.Append("-A FORWARD -m conntrack --ctstate SNAT\n-A FORWARD -m conntrack --ctstate DNAT\n-A FORWARD -m conntrack --ctstate INVALID\n");
        rules.Append("COMMIT\n");
        return rules.ToString();
    }

    private static byte[] Flow(Random random, ushort sourcePort)
    {
        var client = Ipv4Address.Parse($"10.0.1.{random.Next(2, 8)}");
        var server = Ipv4Address.Parse($"10.0.{(random.Next(4) == 0 ? 3 : 2)}.{random.Next(2, 8)}");
        var ip = new IpFields(client, server) { Id = (ushort)random.Next(65536), DontFragment = true };
        ushort[] ports = [22, 53, 80, 8080, 443];
        ushort destination = ports[random.Next(ports.Length)];
        return random.Next(3) switch
        {
            0 => PacketBuilder.Tcp(ip, sourcePort, destination, TcpHeader.Syn, (uint)random.Next(), 0, 1000),
            1 => PacketBuilder.Udp(ip, sourcePort, destination, "data"u8),
            _ => PacketBuilder.Echo(ip, sourcePort, 1, "ping"u8),
        };
    }

    // The server's answer to a forwarded first packet: SYN/ACK, a datagram back, an echo reply.
    private static byte[]? Answer(byte[] datagram)
    {
        var source = Ipv4Address.Read(datagram.AsSpan(12));
        var destination = Ipv4Address.Read(datagram.AsSpan(16));
        var ip = new IpFields(destination, source) { Id = 77, DontFragment = true };
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(20));
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(22));
        return datagram[9] switch
        {
            6 => PacketBuilder.Tcp(ip, dport, sport, TcpHeader.Syn | TcpHeader.Ack, 5000,
                BinaryPrimitives.ReadUInt32BigEndian(datagram.AsSpan(24)) + 1, 1000),
            17 => PacketBuilder.Udp(ip, dport, sport, "back"u8),
            1 when datagram[20] == 8 => PacketBuilder.Echo(ip, BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(24)), 1, "ping"u8, reply: true),
            _ => null,
        };
    }

    // Sorted lines without the seconds left (they count down in real time).
    private static string NormaliseConntrack(string listing) =>
        string.Join('\n', listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(p => string.Join(' ', p.Take(2).Concat(p.Skip(3))))
            .Order(StringComparer.Ordinal));
}
