using System.Globalization;
using System.Text;
using Sekisho.Packets;

namespace Sekisho.TestSupport;

/// <summary>
/// Seeded random rulesets over the stateless matches, and random traffic for them, for the packet differential
/// against the kernel on <c>LabHost.Router()</c>: everything is forwarded between 10.0.1.0/24 (eth0) and
/// 10.0.2.0/24 (eth1), so only the rulesets decide what comes out.
/// </summary>
/// <remarks>
/// Time-dependent matches are used only where time cannot change a verdict within a run: limit and hashlimit at
/// hourly or daily rates with long expiry, recent with windows of an hour, statistic in nth mode (or random mode
/// with probability 0 or 1). Chains jump only forward, so the rulesets have no loops.
/// </remarks>
public sealed class RandomTraffic
{
    /// <summary>The MAC of the peers of the router (the source of most frames).</summary>
    public static readonly MacAddress[] SourceMacs =
    [
        MacAddress.Parse("0a:a2:e8:49:27:a3"), MacAddress.Parse("0a:a2:e8:49:27:b4"), MacAddress.Parse("02:11:22:33:44:55"),
    ];

    private static readonly string[] s_sources = ["10.0.1.2", "10.0.1.7", "10.0.1.130", "10.0.2.9", "10.0.3.4", "192.168.7.1", "172.16.4.4"];
    private static readonly string[] s_icmpTypes = ["echo-request", "echo-reply", "destination-unreachable", "3/3", "11/0", "any", "8", "time-exceeded", "port-unreachable", "5", "13/0"];
    private static readonly string[] s_addrTypes = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST", "UNREACHABLE", "BLACKHOLE", "UNSPEC"];
    private static readonly string[] s_pktTypes = ["unicast", "broadcast", "multicast"];
    private static readonly string[] s_tcpFlags = ["SYN", "ACK", "FIN", "RST", "PSH", "URG", "ALL", "NONE", "SYN,ACK", "FIN,SYN,RST,ACK"];
    private static readonly string[] s_slowRates = ["1/hour", "2/h", "3/hour", "20/hour"];
    private static readonly string[] s_hashRates = ["1/hour", "2/h", "3/hour"];

    private readonly Random _random;

    /// <summary>Creates a generator.</summary>
    public RandomTraffic(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>
    /// A ruleset of a mangle table (PREROUTING and user chains) and a filter table (FORWARD and user chains) with
    /// <paramref name="mangleRules"/> and <paramref name="filterRules"/> rules.
    /// </summary>
    public string Ruleset(int mangleRules, int filterRules)
    {
        var text = new StringBuilder();
        Table(text, "mangle", ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"], "PREROUTING", 3, mangleRules, prerouting: true);
        Table(text, "filter", ["INPUT", "FORWARD", "OUTPUT"], "FORWARD", 8, filterRules, prerouting: false);
        return text.ToString();
    }

    private void Table(StringBuilder text, string table, string[] builtins, string entry, int userChains, int rules, bool prerouting)
    {
        text.Append('*').Append(table).Append('\n');
        foreach (string chain in builtins)
        {
            string policy = chain == entry && !prerouting && _random.Next(2) == 0 ? "DROP" : "ACCEPT";
            text.Append(':').Append(chain).Append(' ').Append(policy).Append(" [0:0]\n");
        }

        var user = Enumerable.Range(0, userChains).Select(i => $"{table[0]}{i}").ToArray();
        foreach (string chain in user)
        {
            text.Append(':').Append(chain).Append(" - [0:0]\n");
        }

        for (int i = 0; i < rules; i++)
        {
            // Half the rules in the entry chain, the rest spread over the user chains.
            int chainIndex = _random.Next(2) == 0 ? -1 : _random.Next(user.Length);
            string chain = chainIndex < 0 ? entry : user[chainIndex];
            var later = chainIndex < 0 ? user : user[(chainIndex + 1)..];
            text.Append("-A ").Append(chain);
            Rule(text, later, prerouting);
            text.Append('\n');
        }

        text.Append("COMMIT\n");
    }

    private void Rule(StringBuilder text, string[] laterChains, bool prerouting)
    {
        // Verdicts end the walk: rules with one are narrow (a protocol with a selector and another match), so
        // that most packets travel far and most rules see packets.
        int target = _random.Next(100);
        bool verdict = target < 18;
        bool jump = !verdict && target < 48 && laterChains.Length > 0;
        if (_random.Next(4) == 0)
        {
            text.Append(Maybe(" !")).Append(" -s ").Append(Pick(["10.0.1.0/24", "10.0.1.2", "10.0.1.128/25", "10.0.0.0/8", "192.168.7.0/24", "172.16.0.0/12", "10.0.2.0/24"]));
        }

        if (_random.Next(5) == 0)
        {
            text.Append(Maybe(" !")).Append(" -d ").Append(Pick(["10.0.2.2", "10.0.1.2", "10.0.2.0/24", "10.0.0.0/16"]));
        }

        if (_random.Next(5) == 0)
        {
            text.Append(Maybe(" !")).Append(" -i ").Append(Pick(["eth0", "eth1", "eth+"]));
        }

        if (!prerouting && _random.Next(6) == 0)
        {
            text.Append(Maybe(" !")).Append(" -o ").Append(Pick(["eth0", "eth1", "eth+"]));
        }

        if (_random.Next(12) == 0)
        {
            text.Append(Maybe(" !")).Append(" -f");
        }

        switch (verdict ? _random.Next(5) : _random.Next(8))
        {
            case 0:
            case 1:
                Tcp(text, verdict);
                break;
            case 2:
                Udp(text, verdict);
                break;
            case 3:
                text.Append(" -p icmp");
                if (verdict || _random.Next(3) > 0)
                {
                    text.Append(Maybe(" !")).Append(" --icmp-type ").Append(Pick(s_icmpTypes));
                }

                break;
            case 4:
                Sctp(text, verdict);
                break;
            case 5:
                text.Append(Maybe(" !")).Append(" -p ").Append(Pick(["47", "50", "tcp", "udp", "icmp", "132"]));
                break;
        }

        int extras = verdict ? _random.Next(1, 3) : _random.Next(20) switch { < 10 => 0, < 17 => 1, _ => 2 };
        for (int i = 0; i < extras; i++)
        {
            text.Append(' ').Append(Match(prerouting));
        }

        if (verdict)
        {
            text.Append(" -j ").Append(Pick(["ACCEPT", "DROP", "RETURN"]));
        }
        else if (!prerouting && target > 96)
        {
            text.Append(" -j LOG --log-prefix \"f").Append(_random.Next(100).ToString(CultureInfo.InvariantCulture)).Append(": \"")
                .Append(Pick(["", " --log-tcp-options", " --log-ip-options", " --log-tcp-sequence"]));
        }
        else if (prerouting && target > 90)
        {
            // Marks set here are what the mark matches of later rules and of the filter table see.
            text.Append(Pick([" -j MARK --set-mark ", " -j MARK --or-mark ", " -j MARK --set-xmark 0x2/"]))
                .Append(_random.Next(1, 4).ToString(CultureInfo.InvariantCulture));
        }
        else if (jump)
        {
            text.Append(_random.Next(4) == 0 ? " -g " : " -j ").Append(Pick(laterChains));
        }
    }

    private void Tcp(StringBuilder text, bool narrow)
    {
        text.Append(" -p tcp");
        if (narrow || _random.Next(2) == 0)
        {
            text.Append(Maybe(" !")).Append(Pick([" --dport ", " --sport "])).Append(PortRange());
        }

        switch (_random.Next(6))
        {
            case 0:
                text.Append(Maybe(" !")).Append(" --syn");
                break;
            case 1:
                text.Append(Maybe(" !")).Append(" --tcp-flags ").Append(Pick(s_tcpFlags)).Append(' ').Append(Pick(s_tcpFlags));
                break;
            case 2:
                text.Append(Maybe(" !")).Append(" --tcp-option ").Append(Pick(["1", "2", "3", "4", "8", "30", "254"]));
                break;
            case 3:
                text.Append(" -m multiport ").Append(Maybe("! ")).Append(Pick(["--dports ", "--sports ", "--ports "]))
                    .Append(Ports());
                break;
        }
    }

    private void Udp(StringBuilder text, bool narrow)
    {
        text.Append(" -p udp");
        switch (_random.Next(narrow ? 2 : 3))
        {
            case 0:
                text.Append(Maybe(" !")).Append(" --dport ").Append(PortRange());
                if (_random.Next(3) == 0)
                {
                    text.Append(Maybe(" !")).Append(" --sport ").Append(PortRange());
                }

                break;
            case 1:
                text.Append(" -m multiport ").Append(Maybe("! ")).Append(Pick(["--dports ", "--sports ", "--ports "]))
                    .Append(Ports());
                break;
        }
    }

    private void Sctp(StringBuilder text, bool narrow)
    {
        text.Append(" -p sctp");
        if (narrow || _random.Next(2) == 0)
        {
            text.Append(Maybe(" !")).Append(Pick([" --dport ", " --sport "])).Append(PortRange());
        }

        if (_random.Next(2) == 0)
        {
            text.Append(Maybe(" !")).Append(" --chunk-types ").Append(Pick(["all", "any", "only"])).Append(' ')
                .Append(Pick(["INIT", "DATA", "INIT,INIT_ACK", "DATA:Be", "DATA:b,SACK", "ABORT:T", "HEARTBEAT,DATA", "ALL", "NONE", "COOKIE_ECHO,SHUTDOWN"]));
        }
    }

    private string Match(bool prerouting)
    {
        var r = _random;
        switch (r.Next(prerouting ? 21 : 20))
        {
            case 0: return $"-m comment --comment \"c{r.Next(1000)}\"";
            case 1: return $"-m iprange {Maybe("! ")}--src-range 10.0.1.{r.Next(0, 8)}-10.0.{r.Next(1, 4)}.{r.Next(100, 256)}";
            case 2: return $"-m iprange {Maybe("! ")}--dst-range 10.0.2.{r.Next(0, 3)}-10.0.2.{r.Next(2, 256)}";
            case 3: return $"-m length {Maybe("! ")}--length {r.Next(20, 120)}:{r.Next(100, 400)}";
            case 4: return $"-m ttl --ttl-{Pick(["eq", "lt", "gt"])} {r.Next(1, 255)}";
            case 5: return $"-m ttl --ttl-eq {r.Next(60, 66)}";
            case 6: return $"-m mark {Maybe("! ")}--mark 0x{r.Next(0, 4):x}/0x{r.Next(0, 4):x}";
            case 7: return $"-m tos {Maybe("! ")}--tos 0x{r.Next(0, 256) & 0x1e:x}/0x{r.Next(0, 256):x}";
            case 8: return $"-m dscp {Maybe("! ")}--dscp {r.Next(0, 8)}";
            case 9: return $"-m addrtype {Maybe("! ")}--{Pick(["src", "dst"])}-type {Pick(s_addrTypes)}" + (r.Next(4) == 0 ? " --limit-iface-in" : string.Empty);
            case 10: return $"-m pkttype {Maybe("! ")}--pkt-type {Pick(s_pktTypes)}";
            case 11: return $"-m mac {Maybe("! ")}--mac-source {Pick(SourceMacs)}";
            case 12: return $"-m limit --limit {Pick(s_slowRates)} --limit-burst {r.Next(1, 30)}";
            case 13: return $"-m hashlimit --hashlimit-{Pick(["upto", "above"])} {Pick(s_hashRates)} --hashlimit-burst {r.Next(1, 10)} " +
                $"--hashlimit-mode {Pick(["srcip", "dstip", "srcip,dstport", "srcport", "dstip,srcport"])} --hashlimit-name h{r.Next(4)} " +
                $"--hashlimit-srcmask {r.Next(16, 33)} --hashlimit-htable-expire 3600000";
            case 14: return $"-m statistic --mode nth {Maybe("! ")}--every {r.Next(2, 9)} --packet {r.Next(0, 2)}";
            case 15: return $"-m statistic --mode random {Maybe("! ")}--probability {Pick(["0", "1", "1.0"])}";
            case 16: return $"-m recent --name r{r.Next(4)} {Pick(["--set", "--rcheck", "--update", "--remove"])} {Pick(["--rsource", "--rdest", ""])}".TrimEnd();
            case 17: return $"-m recent --name r{r.Next(4)} {Maybe("! ")}{Pick(["--rcheck", "--update"])} --seconds 3600 --hitcount {r.Next(1, 6)}" + (r.Next(3) == 0 ? " --rttl" : string.Empty);
            case 18: return $"-m policy --dir in --pol {Pick(["none", "ipsec"])}";
            case 19: return $"-m length --length {r.Next(0, 60)}";
            default: return $"-m rpfilter{Pick(["", " --loose", " --invert", " --accept-local", " --validmark --loose"])}";
        }
    }

    /// <summary>
    /// <paramref name="count"/> random frames for the router: TCP, UDP, ICMP, SCTP, other protocols, fragments and
    /// malformed transport headers, with their interface.
    /// </summary>
    public List<(string Interface, byte[] Frame)> Frames(int count, Func<string, byte[], MacAddress, byte[]> frame)
    {
        var frames = new List<(string, byte[])>(count);
        for (int i = 0; i < count; i++)
        {
            bool fromClient = _random.Next(3) > 0;
            string iface = fromClient ? "eth0" : "eth1";
            var source = Ipv4Address.Parse(fromClient ? Pick(s_sources) : Pick(["10.0.2.2", "10.0.2.77", "10.0.1.50", "192.168.7.9"]));
            var destination = Ipv4Address.Parse(fromClient ? "10.0.2.2" : "10.0.1.2");
            var ip = new IpFields(source, destination)
            {
                Ttl = (byte)(_random.Next(4) == 0 ? _random.Next(2, 256) : _random.Next(60, 66)),
                Tos = (byte)(_random.Next(3) == 0 ? _random.Next(256) & 0xFC : 0),
                Id = (ushort)_random.Next(65536),
                DontFragment = _random.Next(2) == 0,
            };
            byte[] datagram = Datagram(ip);
            var mac = _random.Next(6) == 0 ? Pick(SourceMacs) : (fromClient ? SourceMacs[0] : SourceMacs[1]);
            frames.Add((iface, frame(iface, datagram, mac)));
        }

        return frames;
    }

    private byte[] Datagram(IpFields ip)
    {
        var r = _random;
        int kind = r.Next(100);
        if (kind < 35)
        {
            byte flags = (byte)(r.Next(3) == 0 ? r.Next(64) : Pick([0x02, 0x10, 0x12, 0x18, 0x11, 0x04, 0x14]));
            byte[] options = r.Next(4) switch
            {
                0 => [2, 4, 5, 0xB4, 1, 3, 3, 7],
                1 => [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2],
                2 => [30, 2],
                _ => [],
            };
            return PacketBuilder.Tcp(ip, Port(), Port(), flags, (uint)r.Next(), 0, 1000, options, Payload());
        }

        if (kind < 55)
        {
            return PacketBuilder.Udp(ip, Port(), Port(), Payload());
        }

        if (kind < 70)
        {
            return PacketBuilder.Icmp(ip, (byte)Pick([0, 3, 8, 11, 5, 13, r.Next(256)]), (byte)r.Next(0, 5), (uint)r.Next(), Payload());
        }

        if (kind < 78)
        {
            return PacketBuilder.Sctp(ip, Port(), Port(), (uint)r.Next(), Chunks());
        }

        if (kind < 82)
        {
            return PacketBuilder.Ipv4(ip, (byte)Pick([47, 50, 51, 112]), Payload());
        }

        // Malformed and fragmented.
        switch (r.Next(8))
        {
            case 0:
                // A transport header cut short.
                return PacketBuilder.Ipv4(ip, (byte)Pick([6, 17, 1, 132]), RandomBytes(r.Next(0, 12)));
            case 1:
            {
                // A TCP data offset below 5, or beyond the segment.
                var segment = RandomBytes(20 + r.Next(0, 8));
                segment[12] = (byte)(Pick([0, 1, 4, 15, 8]) << 4);
                return PacketBuilder.Ipv4(ip, 6, segment);
            }
            case 2:
                // A fragment at offset 8 bytes (fragoff 1): the TCP match drops it.
                return PacketBuilder.Ipv4(ip with { FragmentOffset = 8, MoreFragments = r.Next(2) == 0, DontFragment = false }, (byte)Pick([6, 17, 1]), RandomBytes(r.Next(8, 40)));
            case 3:
                return PacketBuilder.Ipv4(ip with { FragmentOffset = 8 * r.Next(2, 100), MoreFragments = r.Next(2) == 0, DontFragment = false }, (byte)Pick([6, 17, 1, 132]), RandomBytes(r.Next(8, 60)));
            case 4:
            {
                // A first fragment with a whole transport header.
                var whole = PacketBuilder.Udp(ip with { DontFragment = false }, Port(), Port(), RandomBytes(r.Next(40, 120)));
                return PacketBuilder.Fragment(whole, 32)[0];
            }
            case 5:
            {
                // SCTP with a zero-length or cut chunk.
                var chunk = RandomBytes(r.Next(0, 6));
                if (chunk.Length >= 4)
                {
                    chunk[2] = 0;
                    chunk[3] = (byte)r.Next(0, 2);
                }

                return PacketBuilder.Sctp(ip, Port(), Port(), 1, chunk);
            }
            case 6:
                // TCP options cut: the data offset claims more options than the segment has.
                return PacketBuilder.Ipv4(ip, 6, TcpWithDataOffset(15, r.Next(20, 40)));
            default:
                return PacketBuilder.Icmp(ip, (byte)r.Next(256), (byte)r.Next(256));
        }
    }

    private byte[] TcpWithDataOffset(int dataOffset, int length)
    {
        var segment = RandomBytes(length);
        segment[12] = (byte)(dataOffset << 4);
        for (int i = 20; i < length; i++)
        {
            segment[i] = (byte)Pick([1, 1, 2, 4, 8, 0, 3]);
        }

        return segment;
    }

    private byte[] Chunks()
    {
        var chunks = new List<byte>();
        int count = _random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            byte type = (byte)Pick([0, 0, 1, 2, 3, 4, 6, 10, 7, 14, _random.Next(256)]);
            int length = 4 + _random.Next(0, 9);
            chunks.Add(type);
            chunks.Add((byte)_random.Next(0, 16));
            chunks.Add((byte)(length >> 8));
            chunks.Add((byte)length);
            for (int j = 4; j < ((length + 3) & ~3); j++)
            {
                chunks.Add((byte)_random.Next(256));
            }
        }

        return [.. chunks];
    }

    private ushort Port() => (ushort)(_random.Next(3) == 0 ? _random.Next(65536) : Pick([22, 53, 80, 443, 1000, 1024, 8080, 40000, 65535, 0]));

    private byte[] Payload() => RandomBytes(_random.Next(8) == 0 ? _random.Next(200, 1200) : _random.Next(0, 64));

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string PortRange()
    {
        int low = Pick([0, 22, 53, 80, 443, 1000, 1024, 8080, 40000]);
        return _random.Next(3) switch
        {
            0 => low.ToString(CultureInfo.InvariantCulture),
            1 => $"{low}:{Math.Min(65535, low + _random.Next(1, 30000))}",
            // "0:" is the full range, which Sekisho saves inverted as 1.8.11 does and 1.8.9 does not.
            _ => $"{Math.Max(low, 1)}:",
        };
    }

    private string Ports()
    {
        int count = _random.Next(1, 5);
        var parts = new List<string>();
        for (int i = 0; i < count; i++)
        {
            parts.Add(_random.Next(3) == 0 ? $"{Pick([0, 22, 80, 1000])}:{Pick([1024, 40000, 65535])}" : Pick([22, 53, 80, 443, 1000, 1024, 8080, 40000]).ToString(CultureInfo.InvariantCulture));
        }

        return string.Join(',', parts);
    }

    private string Maybe(string text) => _random.Next(4) == 0 ? text : string.Empty;

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
}
