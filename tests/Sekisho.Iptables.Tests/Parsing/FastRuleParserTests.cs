using Sekisho.Iptables.Parsing;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Tests.Parsing;

/// <summary>The restore shortcut must give exactly what the general parser gives, whenever it takes a line.</summary>
public sealed class FastRuleParserTests
{
    private static readonly string[] s_chains = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING", "svc-1", "LOG", "DROP", "ACCEPT"];
    private static readonly string[] s_protocols = ["tcp", "udp", "icmp", "all", "6", "17", "0", "47", "TCP", "gre", "255", "256", "06"];
    private static readonly string[] s_addresses =
    [
        "10.1.2.3", "10.1.2.3/32", "10.1.2.3/24", "0.0.0.0/0", "192.0.2.0/255.255.255.0", "10.1.2.3/33", "10.01.2.3",
        "10.1.2", "10.1.2.3,10.1.2.4", "localhost", "10.1.2.3/08", "1.2.3.4/0",
    ];

    private static readonly string[] s_ports = ["22", "0", "65535", "1024:65535", "80:79", "65536", ":80", "80:", "022", "0x16", "ssh", "1:1"];
    private static readonly string[] s_interfaces = ["eth0", "eth+", "+", "lo", "a/b", "abcdefghijklmnop", "veth12"];

    public static TheoryData<int> Seeds() => new() { 1, 2, 3, 4, 5 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TryParse_WhenTaken_EqualsGeneralParser(int seed)
    {
        var random = new Random(seed);
        var environment = new ParseEnvironment(LibcNameService.Instance, TextWriter.Null);
        var general = new CommandParser(environment, restore: true);
        int taken = 0;
        for (int n = 0; n < 4000; n++)
        {
            var words = RandomLine(random);
            var argv = new List<string>(words);
            bool fast = FastRuleParser.TryParse(new List<string>(words), out var shortcut);
            if (!fast)
            {
                continue;
            }

            taken++;
            ParsedCommand expected;
            try
            {
                expected = general.Parse(argv);
            }
            catch (XtablesException error)
            {
                Assert.Fail($"the shortcut took a line the parser refuses ({error.Message.Trim()}): {string.Join(' ', words)}");
                return;
            }

            string line = string.Join(' ', words);
            Assert.True(expected.Command == shortcut.Command, $"command differs: {line}");
            Assert.True(expected.Chain == shortcut.Chain, $"chain differs: {line}");
            Assert.True(expected.Table == shortcut.Table, $"table differs: {line}");
            Assert.True(expected.Options == shortcut.Options, $"options {expected.Options} vs {shortcut.Options}: {line}");
            Assert.True(expected.Ip == shortcut.Ip, $"IP part {expected.Ip} vs {shortcut.Ip}: {line}");
            Assert.True(expected.Sources.SequenceEqual(shortcut.Sources), $"sources differ: {line}");
            Assert.True(expected.Destinations.SequenceEqual(shortcut.Destinations), $"destinations differ: {line}");
            Assert.True(expected.Matches.SequenceEqual(shortcut.Matches), $"matches differ: {line}");
            Assert.True(expected.JumpTo == shortcut.JumpTo && expected.Goto == shortcut.Goto, $"jump differs: {line}");
            Assert.True(Equals(expected.Target, shortcut.Target) && expected.TargetIsExtension == shortcut.TargetIsExtension,
                $"target differs: {line}");
            Assert.True(expected.PacketCounter == shortcut.PacketCounter && expected.ByteCounter == shortcut.ByteCounter,
                $"counters differ: {line}");
        }

        // The generator makes canonical lines often enough that the comparison means something.
        Assert.True(taken > 500, $"only {taken} lines were taken by the shortcut");
    }

    private static List<string> RandomLine(Random random)
    {
        var words = new List<string> { "iptables-restore", "-t", random.Next(8) == 0 ? "nat" : "filter" };
        if (random.Next(3) == 0)
        {
            words.AddRange(["--set-counters", random.Next(4) == 0 ? "01" : random.Next(1000).ToString(), random.Next(100000).ToString()]);
        }

        if (random.Next(20) == 0)
        {
            words.Add("-v");
        }

        words.Add(random.Next(30) == 0 ? "-I" : "-A");
        words.Add(Pick(random, s_chains));
        var options = new List<string[]>();
        if (random.Next(2) == 0)
        {
            options.Add(Inverted(random, "-s", Pick(random, s_addresses)));
        }

        if (random.Next(2) == 0)
        {
            options.Add(Inverted(random, "-d", Pick(random, s_addresses)));
        }

        if (random.Next(3) == 0)
        {
            options.Add(Inverted(random, random.Next(2) == 0 ? "-i" : "-o", Pick(random, s_interfaces)));
        }

        if (random.Next(2) == 0)
        {
            string protocol = Pick(random, s_protocols);
            options.Add(Inverted(random, "-p", protocol));
            if (random.Next(2) == 0)
            {
                if (random.Next(2) == 0)
                {
                    options.Add(["-m", random.Next(5) == 0 ? "udp" : protocol is "udp" or "17" ? "udp" : "tcp"]);
                }

                options.Add(Inverted(random, random.Next(2) == 0 ? "--dport" : random.Next(6) == 0 ? "--dp" : "--sport", Pick(random, s_ports)));
                if (random.Next(3) == 0)
                {
                    options.Add(Inverted(random, random.Next(2) == 0 ? "--dport" : "--sport", Pick(random, s_ports)));
                }
            }
        }

        if (random.Next(15) == 0)
        {
            options.Add(["-f"]);
        }

        // Options in any order, as users write them.
        foreach (var option in options.OrderBy(_ => random.Next()))
        {
            words.AddRange(option);
        }

        switch (random.Next(6))
        {
            case 0:
                break;
            case 1:
                words.AddRange(["-g", Pick(random, s_chains)]);
                break;
            case 2:
                words.AddRange(["-j", "LOG", "--log-prefix", "x"]);
                break;
            default:
                words.AddRange(["-j", Pick(random, ["ACCEPT", "DROP", "RETURN", "QUEUE", "svc-1", "nochain"])]);
                break;
        }

        if (random.Next(25) == 0)
        {
            words.Add("-j");
        }

        return words;
    }

    private static string[] Inverted(Random random, string option, string value) =>
        random.Next(4) == 0 ? ["!", option, value] : [option, value];

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
