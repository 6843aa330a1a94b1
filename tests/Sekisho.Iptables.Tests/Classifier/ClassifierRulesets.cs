using System.Globalization;
using System.Text;
using Sekisho.Packets;

namespace Sekisho.Iptables.Tests.Classifier;

/// <summary>
/// Seeded random filter tables and packets for the classifier's equivalence tests: rules over a small address and
/// port space (so that packets hit them), user chains with jumps, goto and RETURN, LOG and MARK, inverted criteria,
/// multiport, and matches the classifier cannot index (mark, state, limit, statistic, recent), some of them placed
/// before a port criterion.
/// </summary>
internal sealed class ClassifierRulesets
{
    private static readonly int[] s_ports = [22, 53, 80, 443, 1000, 1005, 1010, 8080];
    private static readonly string[] s_builtins = ["INPUT", "FORWARD", "OUTPUT"];
    private readonly Random _random;

    public ClassifierRulesets(int seed)
    {
        _random = new Random(seed);
    }

    /// <summary>A filter table in iptables-restore form.</summary>
    public string FilterTable(int rules, int userChains)
    {
        var text = new StringBuilder("*filter\n");
        foreach (string chain in s_builtins)
        {
            text.Append(':').Append(chain).Append(_random.Next(2) == 0 ? " ACCEPT" : " DROP").Append(" [0:0]\n");
        }

        for (int i = 0; i < userChains; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $":u{i} - [0:0]\n");
        }

        for (int i = 0; i < rules; i++)
        {
            int chain = _random.Next(s_builtins.Length + userChains);
            string name = chain < s_builtins.Length ? s_builtins[chain] : $"u{chain - s_builtins.Length}";
            int firstLater = chain < s_builtins.Length ? 0 : chain - s_builtins.Length + 1;
            text.Append("-A ").Append(name);
            AppendRule(text, name, firstLater, userChains);
            text.Append('\n');
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }

    /// <summary>One rule of a built-in chain of a table with <paramref name="userChains"/> user chains, as arguments after <c>-A CHAIN</c>.</summary>
    public string Rule(string chain, int userChains)
    {
        var text = new StringBuilder();
        AppendRule(text, chain, 0, userChains);
        return text.ToString();
    }

    /// <summary>A datagram over the same small space: TCP, UDP, ICMP, GRE, sometimes a fragment or a truncated header.</summary>
    public byte[] Datagram()
    {
        var ip = new IpFields(new Ipv4Address(Address()), new Ipv4Address(Address()))
        {
            FragmentOffset = _random.Next(12) == 0 ? 8 * _random.Next(1, 3) : 0,
            MoreFragments = _random.Next(12) == 0,
            Tos = (byte)(_random.Next(4) << 2),
        };
        return _random.Next(10) switch
        {
            < 4 => PacketBuilder.Tcp(ip, Port(), Port(), (byte)(_random.Next(2) == 0 ? TcpHeader.Syn : TcpHeader.Ack)),
            < 7 => PacketBuilder.Udp(ip, Port(), Port()),
            7 => PacketBuilder.Echo(ip, 1, 1),
            8 => PacketBuilder.Ipv4(ip, 47, new byte[8]),
            _ => PacketBuilder.Ipv4(ip, (byte)(_random.Next(2) == 0 ? 6 : 17), new byte[_random.Next(0, 12)]),
        };
    }

    private void AppendRule(StringBuilder text, string chain, int firstLater, int userChains)
    {
        if (_random.Next(2) == 0)
        {
            text.Append(Maybe(" !", 6)).Append(" -s ").Append(Prefix());
        }

        if (_random.Next(2) == 0)
        {
            text.Append(Maybe(" !", 6)).Append(" -d ").Append(Prefix());
        }

        if (chain != "OUTPUT" && _random.Next(8) == 0)
        {
            text.Append(Maybe(" !", 3)).Append(" -i ").Append(_random.Next(2) == 0 ? "eth0" : "eth+");
        }

        if (_random.Next(20) == 0)
        {
            text.Append(Maybe(" !", 2)).Append(" -f");
        }

        bool sideEffectFirst = _random.Next(6) == 0;
        if (sideEffectFirst)
        {
            AppendMatch(text);
        }

        switch (_random.Next(10))
        {
            case < 4:
                text.Append(" -p tcp");
                AppendPorts(text, "tcp");
                break;
            case < 7:
                text.Append(" -p udp");
                AppendPorts(text, "udp");
                break;
            case 7:
                text.Append(" -p icmp");
                break;
            case 8:
                text.Append(" ! -p tcp");
                break;
        }

        if (!sideEffectFirst && _random.Next(3) == 0)
        {
            AppendMatch(text);
        }

        int target = _random.Next(12);
        if (target < 4)
        {
            text.Append(" -j ").Append(target switch { 0 or 1 => "ACCEPT", 2 => "DROP", _ => "RETURN" });
        }
        else if (target < 7 && firstLater < userChains)
        {
            text.Append(_random.Next(4) == 0 ? " -g u" : " -j u").Append(_random.Next(firstLater, userChains));
        }
        else if (target < 8)
        {
            text.Append(CultureInfo.InvariantCulture, $" -j LOG --log-prefix \"r{_random.Next(1000)} \"");
        }
        else if (target < 10)
        {
            text.Append(CultureInfo.InvariantCulture, $" -j MARK --set-xmark 0x{_random.Next(1, 4):x}/0x3");
        }
        else if (target < 11)
        {
            text.Append(" -j REJECT");
        }
    }

    private void AppendPorts(StringBuilder text, string protocol)
    {
        switch (_random.Next(6))
        {
            case 0:
                text.Append(Maybe(" !", 4)).Append(" --dport ").Append(Port());
                break;
            case 1:
                text.Append(" -m ").Append(protocol).Append(Maybe(" !", 4)).Append(" --sport ").Append(Range());
                break;
            case 2:
                text.Append(" --sport ").Append(Port()).Append(Maybe(" !", 4)).Append(" --dport ").Append(Range());
                break;
            case 3:
                text.Append(" -m multiport ").Append(Maybe("! ", 4)).Append("--dports ").Append(Port()).Append(',').Append(Port());
                break;
            case 4:
                // A side-effecting match before the port criterion: the classifier must not skip on the ports.
                text.Append(" -m statistic --mode nth --every 2 --packet 1 -m ").Append(protocol).Append(" --dport ").Append(Port());
                break;
        }
    }

    private void AppendMatch(StringBuilder text)
    {
        text.Append(_random.Next(8) switch
        {
            0 => " -m mark --mark 0x1/0x1",
            1 => " -m state --state NEW,ESTABLISHED",
            2 => " -m limit --limit 20/sec --limit-burst 3",
            3 => " -m statistic --mode random --probability 0.5",
            4 => " -m statistic --mode nth --every 3 --packet 0",
            5 => _random.Next(2) == 0 ? " -m recent --name r0 --set" : " -m recent --name r0 --rcheck --seconds 60",
            6 => " -m comment --comment \"hello\"",
            _ => " -m length --length 0:60",
        });
    }

    private string Prefix()
    {
        uint address = Address();
        return _random.Next(6) switch
        {
            0 => Text(address) + "/255.255.0.255",
            1 => Text(address),
            _ => Text(address) + "/" + s_lengths[_random.Next(s_lengths.Length)].ToString(CultureInfo.InvariantCulture),
        };
    }

    private static readonly int[] s_lengths = [8, 16, 22, 24, 28, 30, 31, 32];

    private uint Address() =>
        _random.Next(10) == 0 ? 0xC0A80000u | (uint)_random.Next(65536)
            : 0x0A000000u | ((uint)_random.Next(2) << 16) | ((uint)_random.Next(4) << 8) | (uint)_random.Next(8);

    private static string Text(uint address) => new Ipv4Address(address).ToString();

    private ushort Port() => (ushort)(s_ports[_random.Next(s_ports.Length)] + _random.Next(-1, 2));

    private string Range()
    {
        int low = Port();
        int high = Port();
        return $"{Math.Min(low, high)}:{Math.Max(low, high)}";
    }

    private string Maybe(string text, int oneIn) => _random.Next(oneIn) == 0 ? text : string.Empty;
}
