using System.Globalization;
using System.Text;

namespace Sekisho.TestSupport;

/// <summary>Seeded random rulesets in iptables-restore form, written the many ways users write rules.</summary>
/// <remarks>
/// Chains jump only "forward" (built-in chains to user chains, user chain i to user chain j &gt; i), so the
/// rulesets never contain loops. Rules are written in input forms (host bits in prefixes, numeric protocols,
/// open port ranges, abbreviations) so that restoring and then saving exercises the canonicalisation.
/// </remarks>
public sealed class RandomRuleset
{
    private static readonly string[] s_interfaces = ["eth0", "eth1", "eth+", "lo", "veth12", "br-lan", "wg0"];
    private static readonly string[] s_verdicts = ["ACCEPT", "DROP", "RETURN"];
    private static readonly string[] s_states = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED"];
    private static readonly string[] s_ctStates = ["NEW", "ESTABLISHED", "RELATED", "INVALID", "UNTRACKED", "SNAT", "DNAT"];
    private static readonly string[] s_icmpTypes = ["echo-request", "echo-reply", "destination-unreachable", "3/3", "11/0", "any", "8", "time-exceeded", "port-unreachable"];
    private static readonly string[] s_rates = ["3/sec", "10/minute", "1/hour", "100/s", "5/m", "2/h", "1/d"];
    private static readonly string[] s_addrTypes = ["LOCAL", "UNICAST", "BROADCAST", "MULTICAST", "UNREACHABLE", "BLACKHOLE"];
    private static readonly string[] s_pktTypes = ["unicast", "broadcast", "multicast"];

    // Fragments valid in every chain of the filter table (no protocol, hook or table restrictions).
    private static readonly Func<Random, string>[] s_matches =
    [
        r => $"-m state {Maybe(r, "! ")}--state {Join(r, s_states, 3)}",
        r => $"-m conntrack {Maybe(r, "! ")}--ctstate {Join(r, s_ctStates, 3)}" + (r.Next(3) == 0 ? $" --ctorigdst 10.{r.Next(256)}.0.0/16" : string.Empty),
        r => $"-m limit --limit {s_rates[r.Next(s_rates.Length - 1)]} --limit-burst {r.Next(1, 20)}",
        r => $"-m comment --comment \"rule {r.Next(100000)} says hi\"",
        r => $"-m iprange {Maybe(r, "! ")}--src-range 10.0.{r.Next(256)}.1-10.0.{r.Next(256)}.200",
        r => $"-m length {Maybe(r, "! ")}--length {r.Next(40, 600)}:{r.Next(600, 1500)}",
        r => $"-m ttl --ttl-{(r.Next(3) switch { 0 => "eq", 1 => "lt", _ => "gt" })} {r.Next(1, 255)}",
        r => $"-m mark {Maybe(r, "! ")}--mark 0x{r.Next(0x10000):x}/0x{r.Next(1, 0x10000):x}",
        r => $"-m connmark --mark {r.Next(100)}",
        r => $"-m pkttype {Maybe(r, "! ")}--pkt-type {s_pktTypes[r.Next(s_pktTypes.Length)]}",
        r => $"-m addrtype {Maybe(r, "! ")}--dst-type {s_addrTypes[r.Next(s_addrTypes.Length)]}",
        r => $"-m tos {Maybe(r, "! ")}--tos 0x{r.Next(0, 256) & 0x1e:x}",
        r => $"-m dscp {Maybe(r, "! ")}--dscp {r.Next(64)}",
        r => $"-m statistic --mode random --probability 0.{r.Next(1, 100):D2}",
        r => $"-m statistic --mode nth --every {r.Next(2, 10)} --packet 1",
        r => $"-m hashlimit --hashlimit-upto {s_rates[r.Next(s_rates.Length - 1)]} --hashlimit-mode srcip --hashlimit-name hl{r.Next(8)}",
        r => $"-m recent --name rc{r.Next(8)} --{(r.Next(3) switch { 0 => "set", 1 => "rcheck", _ => "update" })}",
        r => $"-m connlimit --connlimit-above {r.Next(1, 100)}",
    ];
    private readonly Random _random;
    private readonly List<Func<string>> _extraMatches = [];

    /// <summary>Creates a generator.</summary>
    public RandomRuleset(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>The random source (for extensions of the generator).</summary>
    public Random Random => _random;

    /// <summary>Adds a generator of "-m ..." fragments usable in any chain of the filter table.</summary>
    public RandomRuleset WithMatch(Func<Random, string> fragment)
    {
        _extraMatches.Add(() => fragment(_random));
        return this;
    }

    /// <summary>A filter table with <paramref name="rules"/> rules over <paramref name="userChains"/> user chains.</summary>
    public string FilterTable(int rules, int userChains, bool counters)
    {
        var text = new StringBuilder(rules * 80);
        text.Append("*filter\n");
        string[] builtins = ["INPUT", "FORWARD", "OUTPUT"];
        foreach (string chain in builtins)
        {
            text.Append(':').Append(chain).Append(' ').Append(_random.Next(2) == 0 ? "ACCEPT" : "DROP");
            text.Append(counters ? $" [{_random.Next(100000)}:{_random.NextInt64(10000000000)}]\n" : " [0:0]\n");
        }

        var user = Enumerable.Range(0, userChains).Select(i => $"chain-{i:D3}").ToArray();
        foreach (string chain in user)
        {
            text.Append(':').Append(chain).Append(" - [0:0]\n");
        }

        for (int i = 0; i < rules; i++)
        {
            int chainIndex = _random.Next(builtins.Length + user.Length);
            string chain = chainIndex < builtins.Length ? builtins[chainIndex] : user[chainIndex - builtins.Length];
            var laterChains = chainIndex < builtins.Length ? user : user[(chainIndex - builtins.Length + 1)..];
            if (counters && _random.Next(3) > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{_random.Next(1000000)}:{_random.NextInt64(1L << 40)}] ");
            }

            text.Append("-A ").Append(chain);
            AppendRule(text, chain, laterChains);
            text.Append('\n');
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    private void AppendRule(StringBuilder text, string chain, string[] laterChains)
    {
        if (_random.Next(3) == 0)
        {
            text.Append(Maybe(" !")).Append(" -s ").Append(Address());
        }

        if (_random.Next(3) == 0)
        {
            text.Append(Maybe(" !")).Append(" -d ").Append(Address());
        }

        if (chain != "OUTPUT" && _random.Next(4) == 0)
        {
            text.Append(Maybe(" !")).Append(" -i ").Append(Pick(s_interfaces));
        }

        if (chain != "INPUT" && _random.Next(4) == 0)
        {
            text.Append(Maybe(" !")).Append(" -o ").Append(Pick(s_interfaces));
        }

        if (_random.Next(10) == 0)
        {
            text.Append(Maybe(" !")).Append(" -f");
        }

        int protocol = _random.Next(6);
        if (protocol == 0)
        {
            text.Append(_random.Next(2) == 0 ? " -p tcp" : " -p 6");
            if (_random.Next(2) == 0)
            {
                text.Append(_random.Next(2) == 0 ? " -m tcp" : string.Empty);
                text.Append(Maybe(" !")).Append(_random.Next(2) == 0 ? " --dport " : " --sport ").Append(PortRange());
            }

            if (_random.Next(4) == 0)
            {
                text.Append(Maybe(" !")).Append(_random.Next(2) == 0 ? " --syn" : " --tcp-flags SYN,ACK,FIN,RST SYN");
            }
        }
        else if (protocol == 1)
        {
            text.Append(_random.Next(2) == 0 ? " -p udp" : " -p 17");
            switch (_random.Next(3))
            {
                case 0:
                    text.Append(Maybe(" !")).Append(_random.Next(2) == 0 ? " --dport " : " --sport ").Append(PortRange());
                    break;
                case 1:
                    text.Append(" -m multiport ").Append(Maybe("! ")).Append(_random.Next(2) == 0 ? "--dports " : "--ports ")
                        .Append(_random.Next(1, 1024)).Append(',').Append(_random.Next(1024, 2048)).Append(':').Append(_random.Next(2048, 65536));
                    break;
            }
        }
        else if (protocol == 2)
        {
            text.Append(" -p icmp");
            if (_random.Next(2) == 0)
            {
                text.Append(Maybe(" !")).Append(" --icmp-type ").Append(Pick(s_icmpTypes));
            }
        }
        else if (protocol == 3)
        {
            text.Append(" -p ").Append(_random.Next(1, 256).ToString(CultureInfo.InvariantCulture));
        }

        if (_random.Next(3) == 0)
        {
            text.Append(' ').Append(s_matches[_random.Next(s_matches.Length)](_random));
        }

        if (_extraMatches.Count > 0 && _random.Next(3) == 0)
        {
            text.Append(' ').Append(_extraMatches[_random.Next(_extraMatches.Count)]());
        }

        int target = _random.Next(10);
        if (target < 4)
        {
            text.Append(" -j ").Append(Pick(s_verdicts));
        }
        else if (target < 6 && laterChains.Length > 0)
        {
            text.Append(_random.Next(4) == 0 ? " -g " : " -j ").Append(Pick(laterChains));
        }
        else if (target < 7)
        {
            text.Append(" -j REJECT");
            if (_random.Next(2) == 0)
            {
                text.Append(" --reject-with ").Append(Pick(["icmp-net-unreachable", "icmp-host-unreachable", "icmp-port-unreachable", "icmp-proto-unreachable", "icmp-net-prohibited", "icmp-host-prohibited", "icmp-admin-prohibited"]));
            }
        }
        else if (target < 8)
        {
            text.Append(" -j LOG");
            if (_random.Next(2) == 0)
            {
                text.Append(" --log-prefix \"r").Append(_random.Next(1000)).Append(": \"");
            }

            if (_random.Next(3) == 0)
            {
                text.Append(" --log-level ").Append(_random.Next(8));
            }
        }
    }

    private string Address()
    {
        string address = $"10.{_random.Next(256)}.{_random.Next(256)}.{_random.Next(256)}";
        return _random.Next(4) switch
        {
            0 => address,
            1 => address + "/" + _random.Next(8, 33),
            2 => address + "/32",
            _ => address + "/255.255.0.0",
        };
    }

    private string PortRange()
    {
        int low = _random.Next(1, 65536);
        return _random.Next(4) switch
        {
            0 => low.ToString(CultureInfo.InvariantCulture),
            1 => $"{low}:",
            2 => $":{low}",
            _ => $"{Math.Min(low, 40000)}:{Math.Max(low, 40000)}",
        };
    }

    private string Maybe(string text) => _random.Next(4) == 0 ? text : string.Empty;

    private static string Maybe(Random random, string text) => random.Next(4) == 0 ? text : string.Empty;

    private static string Join(Random random, string[] items, int max)
    {
        int count = random.Next(1, max + 1);
        return string.Join(',', Enumerable.Range(0, count).Select(_ => items[random.Next(items.Length)]).Distinct());
    }

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}
