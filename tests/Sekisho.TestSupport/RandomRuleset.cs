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
            text.Append(Maybe(" !")).Append(_random.Next(2) == 0 ? " -p udp" : " -p 17");
        }
        else if (protocol == 2)
        {
            text.Append(Maybe(" !")).Append(" -p icmp");
        }
        else if (protocol == 3)
        {
            text.Append(" -p ").Append(_random.Next(1, 256).ToString(CultureInfo.InvariantCulture));
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

    private string Pick(string[] items) => items[_random.Next(items.Length)];
}
