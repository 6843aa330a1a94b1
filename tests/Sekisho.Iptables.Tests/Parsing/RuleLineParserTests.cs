using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.Output;
using Sekisho.Iptables.Parsing;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Tests.Parsing;

/// <summary>
/// iptables-restore's byte-level shortcut must give exactly the rule the general path builds whenever it takes a
/// line, and the text it records for the state file must be iptables-save's form of that rule.
/// </summary>
public sealed class RuleLineParserTests
{
    private static readonly string[] s_chains = ["INPUT", "FORWARD", "OUTPUT", "PREROUTING", "POSTROUTING", "svc-1", "LOG", "DROP", "ACCEPT"];
    private static readonly string[] s_protocols = ["tcp", "udp", "icmp", "all", "6", "17", "0", "47", "TCP", "gre", "255", "256", "06"];
    private static readonly string[] s_addresses =
    [
        "10.1.2.3", "10.1.2.3/32", "10.1.2.3/24", "10.1.2.0/24", "10.0.0.0/8", "0.0.0.0/0", "192.0.2.0/255.255.255.0",
        "10.1.2.3/33", "10.01.2.3", "10.1.2", "10.1.2.3,10.1.2.4", "localhost", "10.1.2.3/08", "1.2.3.4/0", "255.255.255.255/1",
    ];

    private static readonly string[] s_ports = ["22", "0", "65535", "1024:65535", "0:65535", "80:79", "65536", ":80", "80:", "022", "0x16", "ssh", "1:1", "1:2"];
    private static readonly string[] s_interfaces = ["eth0", "eth+", "+", "lo", "a/b", "abcdefghijklmnop", "veth12", "e\"x"];
    private static readonly string[] s_prefixes = ["x", "[in 1] ", "plain_word-1", "\"quoted\"", "a\\\"b", "it's", "", "0123456789012345678901234567890", "ümlaut", "tab\there"];

    public static TheoryData<int> Seeds() => new() { 1, 2, 3, 4, 5, 6 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void TryParse_WhenTaken_EqualsGeneralPathAndSaveForm(int seed)
    {
        var random = new Random(seed);
        var environment = new ParseEnvironment(LibcNameService.Instance, TextWriter.Null);
        var general = new CommandParser(environment, restore: true);
        var tokenizer = new RestoreTokenizer();
        var shortcut = new RuleLineParser();
        var saver = new RuleSaver(LibcNameService.Instance);
        int taken = 0, canonical = 0, rewritten = 0;
        for (int n = 0; n < 5000; n++)
        {
            string table = random.Next(8) == 0 ? "nat" : "filter";
            bool counters = random.Next(2) == 0;
            string line = RandomLine(random);
            byte[] bytes = Encoding.UTF8.GetBytes(line);
            if (!shortcut.TryParse(bytes, table, counters, out var parsed))
            {
                continue;
            }

            taken++;
            ParsedCommand expected;
            var argv = new List<string> { "iptables-restore", "-t", table };
            try
            {
                int start = RestoreTokenizer.TokenizeCounters(line, 1, out string? packets, out string? bytesText);
                if (counters && packets != null && bytesText != null)
                {
                    argv.AddRange(["--set-counters", packets, bytesText]);
                }

                tokenizer.AddParameters(argv, line, start);
                expected = general.Parse(argv);
            }
            catch (XtablesException error)
            {
                Assert.Fail($"the shortcut took a line the general path refuses ({error.Message.Trim()}): {line}");
                return;
            }

            Assert.True(expected.Command == CommandKind.Append && expected.Chain == parsed.Chain, $"command differs: {line}");
            Assert.True(expected.JumpTo == parsed.JumpTo && expected.Goto == parsed.Goto, $"jump differs: {line}");
            Assert.True(expected.Sources.Count == 1 && expected.Destinations.Count == 1, $"several addresses: {line}");

            // The general path's target, as RuleBuilder.ResolveTarget gives it when the name is a chain.
            TargetInfo target;
            if (parsed.Target != null)
            {
                Assert.True(expected.TargetIsExtension && Equals(expected.Target, parsed.Target), $"target differs: {line}");
                target = parsed.Target;
            }
            else
            {
                Assert.True(expected.Target == null && !expected.TargetIsExtension, $"target differs: {line}");
                target = parsed.JumpTo.Length == 0 ? VerdictTarget.Continue : new JumpTarget(parsed.JumpTo);
            }

            var rule = parsed.ToRule(target);
            var built = Assert.Single(RuleBuilder.Expand(expected, target));
            Assert.True(built.SameAs(rule) && built.Ip == rule.Ip, $"rule differs: {line}");
            Assert.True(built.Counters.Packets == rule.Counters.Packets && built.Counters.Bytes == rule.Counters.Bytes,
                $"counters differ: {line}");

            if (!parsed.Canonical)
            {
                continue;
            }

            canonical++;
            rewritten += parsed.Verbatim ? 0 : 1;
            var body = new byte[parsed.BodyLength + 6];
            string text = Encoding.ASCII.GetString(body, 0, RuleLineParser.WriteBody(bytes, parsed, body));
            var save = new StringBuilder();
            saver.SaveRule(save, rule, parsed.Chain, RuleSaver.CounterStyle.None);
            var exact = new StringBuilder();
            saver.SaveRule(exact, rule, parsed.Chain, RuleSaver.CounterStyle.None, exactInterfaces: true);
            Assert.Equal(save.ToString(), text + "\n");
            Assert.Equal(exact.ToString(), text + "\n");
            if (parsed.Verbatim)
            {
                Assert.Equal(Encoding.ASCII.GetString(bytes, parsed.BodyStart, parsed.BodyLength), text);
            }
        }

        // The generator makes lines of every kind often enough that the comparison means something.
        Assert.True(taken > 400 && canonical > 100 && rewritten > 20, $"taken {taken}, canonical {canonical}, rewritten {rewritten}");
    }

    [Theory]
    [InlineData("-A INPUT -s 10.1.2.3/32 -p tcp -m tcp --dport 22 -j ACCEPT\n", true)]
    [InlineData("[12:3400] -A INPUT -i eth0 -p udp -m udp --sport 1024:65535 -j DROP\n", true)]
    [InlineData("-A INPUT -s 10.1.2.3/32 -p icmp -j LOG --log-prefix \"[in 1] \"\n", true)]
    [InlineData("-A INPUT -j LOG --log-prefix plain\n", true)]
    [InlineData("-A INPUT ! -s 10.0.0.0/8 ! -i eth+ ! -p tcp -m tcp ! --sport 1 ! --dport 2:3 -g svc\n", true)]
    [InlineData("-A INPUT -p tcp --dport 22 -j ACCEPT\n", false)]
    [InlineData("-A INPUT -j ACCEPT \n", false)]
    [InlineData("-A INPUT  -j ACCEPT\n", false)]
    [InlineData("-A INPUT -j LOG --log-prefix \"plain\"\n", false)]
    [InlineData("-A INPUT -i + -j ACCEPT\n", false)]
    [InlineData("-A INPUT -p tcp -m tcp --dport 2 --sport 1\n", false)]
    [InlineData("-A INPUT -p tcp -m tcp --sport 0:65535\n", false)]
    [InlineData("-A INPUT -p tcp -m tcp --sport 5:5\n", false)]
    [InlineData("-A INPUT -p all -j DROP\n", false)]
    [InlineData("-A INPUT -s 0.0.0.0/0 -j DROP\n", false)]
    public void TryParse_Canonical_OnlyForSaveForm(string line, bool canonical)
    {
        Assert.True(new RuleLineParser().TryParse(Encoding.ASCII.GetBytes(line), "filter", counters: true, out var parsed));
        Assert.Equal(canonical, parsed.Canonical && parsed.Verbatim);
    }

    [Theory]
    [InlineData("-A INPUT -s 10.1.2.3/24 -d 10.9.9.9 -j DROP\n", "-A INPUT -s 10.1.2.0/24 -d 10.9.9.9/32 -j DROP")]
    [InlineData("-A INPUT ! -s 192.0.2.77/28 -j DROP\n", "-A INPUT ! -s 192.0.2.64/28 -j DROP")]
    public void WriteBody_RewritesAddressesAsIptablesSave(string line, string expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(line);
        Assert.True(new RuleLineParser().TryParse(bytes, "filter", counters: false, out var parsed));
        Assert.True(parsed.Canonical && !parsed.Verbatim);
        var body = new byte[parsed.BodyLength + 6];
        Assert.Equal(expected, Encoding.ASCII.GetString(body, 0, RuleLineParser.WriteBody(bytes, parsed, body)));
    }

    [Theory]
    [InlineData("-A INPUT -j ACCEPT")]
    [InlineData("-I INPUT -j ACCEPT\n")]
    [InlineData("-A INPUT -j REJECT\n")]
    [InlineData("-A INPUT -m comment --comment x -j ACCEPT\n")]
    [InlineData("-A INPUT -s 10.0.0.1,10.0.0.2 -j ACCEPT\n")]
    [InlineData("-A INPUT -j LOG --log-prefix \"a\\\"b\"\n")]
    [InlineData("-A INPUT -j LOG --log-level 5\n")]
    [InlineData("-A INPUT -j ACCEPT -s 10.0.0.1\n")]
    [InlineData("-A INPUT -o eth0 -j ACCEPT\n")]
    [InlineData("[1:2]-A INPUT -j ACCEPT\n")]
    [InlineData("[a:2] -A INPUT -j ACCEPT\n")]
    [InlineData("-A INPUT -s 10.1.2.3 -s 10.1.2.4 -j ACCEPT\n")]
    [InlineData("-A INPUT --dport 22 -j ACCEPT\n")]
    [InlineData("-A INPUT -p tcp -m tcp --dport ssh -j ACCEPT\n")]
    public void TryParse_OtherLines_LeftToGeneralPath(string line)
    {
        Assert.False(new RuleLineParser().TryParse(Encoding.UTF8.GetBytes(line), "filter", counters: true, out _));
    }

    private static string RandomLine(Random random)
    {
        var words = new List<string>();
        if (random.Next(3) == 0)
        {
            words.Add($"[{(random.Next(6) == 0 ? "01" : random.Next(1000).ToString())}:{random.Next(100000)}]");
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
            string protocol = random.Next(2) == 0 ? Pick(random, s_protocols) : random.Next(2) == 0 ? "tcp" : "udp";
            options.Add(Inverted(random, "-p", protocol));
            if (random.Next(3) != 0)
            {
                if (random.Next(4) != 0)
                {
                    options.Add(["-m", random.Next(6) == 0 ? "udp" : protocol is "udp" or "17" ? "udp" : "tcp"]);
                }

                options.Add(Inverted(random, random.Next(2) == 0 ? "--sport" : random.Next(8) == 0 ? "--dp" : "--dport", Pick(random, s_ports)));
                if (random.Next(3) == 0)
                {
                    options.Add(Inverted(random, random.Next(2) == 0 ? "--dport" : "--sport", Pick(random, s_ports)));
                }
            }
        }

        if (random.Next(20) == 0)
        {
            options.Add(["-f"]);
        }

        // Mostly iptables-save's order, sometimes as users write them.
        words.AddRange((random.Next(3) == 0 ? options.OrderBy(_ => random.Next()).ToList() : options).SelectMany(o => o));
        switch (random.Next(7))
        {
            case 0:
                break;
            case 1:
                words.AddRange(["-g", Pick(random, s_chains)]);
                break;
            case 2:
                words.AddRange(["-j", "LOG"]);
                if (random.Next(4) != 0)
                {
                    string prefix = Pick(random, s_prefixes);
                    words.AddRange(["--log-prefix", random.Next(3) == 0 && prefix.Length > 0 ? prefix : Quote(prefix)]);
                }

                break;
            default:
                words.AddRange(["-j", Pick(random, ["ACCEPT", "DROP", "RETURN", "QUEUE", "svc-1", "nochain", "REJECT"])]);
                break;
        }

        if (random.Next(25) == 0)
        {
            words.AddRange(["-j", "DROP"]);
        }

        string separator = random.Next(12) switch { 0 => "  ", 1 => "\t", _ => " " };
        string end = random.Next(15) == 0 ? " \n" : random.Next(40) == 0 ? string.Empty : "\n";
        return string.Join(separator, words) + end;
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string[] Inverted(Random random, string option, string value) =>
        random.Next(5) == 0 ? ["!", option, value] : [option, value];

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
