using System.Globalization;
using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.TestSupport;

namespace Sekisho.Iptables.Tests.Classifier;

/// <summary>
/// The walk through the classifier against the linear walk (the reference evaluator), over seeded random
/// rulesets and packets: the same verdicts, the same entries visited in the same order (every miss, match and
/// verdict the tracer hears), the same counters, marks, log lines, and the same state of rate limits, statistic
/// counters and recent lists, as the later packets show.
/// </summary>
public sealed class ClassifierEquivalenceTests
{
    private const int CasesPerTheory = 25;
    private const int PacketsPerCase = 60;

    public static TheoryData<int> Seeds()
    {
        var data = new TheoryData<int>();
        for (int i = 0; i < 8; i++)
        {
            data.Add(1000 + i * CasesPerTheory);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Walk_RandomRulesetsAndPackets_SameAsLinearWalk(int firstSeed)
    {
        for (int seed = firstSeed; seed < firstSeed + CasesPerTheory; seed++)
        {
            var generator = new ClassifierRulesets(seed);
            var random = new Random(seed);
            string rules = generator.FilterTable(random.Next(5, 120), random.Next(0, 5));
            using var linear = new World(rules, ClassifierMode.Linear, trace: true, seed);
            using var traced = new World(rules, ClassifierMode.Always, trace: true, seed);
            using var fast = new World(rules, ClassifierMode.Always, trace: false, seed);
            Assert.False(linear.Net.Tables["filter"].UsesClassifier);
            Assert.True(traced.Net.Tables["filter"].UsesClassifier);
            for (int i = 0; i < PacketsPerCase; i++)
            {
                byte[] datagram = generator.Datagram();
                var hook = (Hook)random.Next(1, 4);
                uint mark = (uint)random.Next(4);
                var advance = TimeSpan.FromMilliseconds(random.Next(0, 200));
                uint expected = linear.Send(hook, datagram, mark, advance);
                Assert.True(expected == traced.Send(hook, datagram, mark, advance), $"seed {seed} packet {i}\n{rules}");
                Assert.True(expected == fast.Send(hook, datagram, mark, advance), $"seed {seed} packet {i}\n{rules}");
                Assert.True(linear.Events.SequenceEqual(traced.Events),
                    $"seed {seed} packet {i}: trace\n{string.Join('\n', linear.Events)}\nclassifier:\n{string.Join('\n', traced.Events)}\n{rules}");
                linear.Events.Clear();
                traced.Events.Clear();
            }

            Assert.Equal(linear.Counters(), traced.Counters());
            Assert.Equal(linear.Counters(), fast.Counters());
            Assert.Equal(linear.Marks, fast.Marks);
            Assert.Equal(linear.Lines, fast.Lines);
        }
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(3100)]
    [InlineData(3200)]
    public void Edits_OneRuleAtATime_ClassifierChangedNotRebuilt_SameAsLinearWalk(int firstSeed)
    {
        for (int seed = firstSeed; seed < firstSeed + 10; seed++)
        {
            var generator = new ClassifierRulesets(seed);
            var random = new Random(seed);
            int userChains = random.Next(0, 3);
            string rules = generator.FilterTable(random.Next(40, 120), userChains);
            using var linear = new World(rules, ClassifierMode.Linear, trace: true, seed);
            using var fast = new World(rules, ClassifierMode.Always, trace: true, seed);
            for (int edit = 0; edit < 12; edit++)
            {
                string chain = random.Next(2) == 0 ? "INPUT" : "FORWARD";
                int count = fast.Net.Ruleset!.Find("filter")!.Find(chain)!.Rules.Count;
                string position = (random.Next(count) + 1).ToString(CultureInfo.InvariantCulture);
                var args = (random.Next(4), count) switch
                {
                    (0, > 1) => ["-D", chain, position],
                    (1, _) => ["-I", chain, position],
                    (2, _) => ["-R", chain, position],
                    _ => new List<string> { "-A", chain },
                };
                if (args[0] != "-D")
                {
                    args.AddRange(Sekisho.Iptables.Commands.ShellWords.Split(generator.Rule(chain, userChains)));
                }

                linear.Run(args);
                fast.Run(args);
                string what = $"seed {seed} edit {edit}: {string.Join(' ', args)}";
                Assert.True(new ClassifierUpdates(0, 1, 0) == fast.Net.Tables["filter"].ClassifierUpdates with { Kept = 0 },
                    $"{what}: {fast.Net.Tables["filter"].ClassifierUpdates}");
                for (int i = 0; i < 20; i++)
                {
                    byte[] datagram = generator.Datagram();
                    var hook = (Hook)random.Next(1, 4);
                    uint mark = (uint)random.Next(4);
                    var advance = TimeSpan.FromMilliseconds(random.Next(0, 200));
                    Assert.True(linear.Send(hook, datagram, mark, advance) == fast.Send(hook, datagram, mark, advance), what);
                    Assert.True(linear.Events.SequenceEqual(fast.Events),
                        $"{what} packet {i}: trace\n{string.Join('\n', linear.Events)}\nclassifier:\n{string.Join('\n', fast.Events)}");
                    linear.Events.Clear();
                    fast.Events.Clear();
                }

                Assert.Equal(linear.Counters(), fast.Counters());
            }
        }
    }

    [Fact]
    public void Edit_OtherTableOrSameRules_KeepsEveryClassifier()
    {
        string rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, 50).Select(i => $"-A INPUT -s 10.0.{i}.0/24 -j DROP\n-A FORWARD -d 10.1.{i}.0/24 -j DROP\n"))
            + "COMMIT\n";
        using var world = new World(rules, ClassifierMode.Auto, trace: false, 1);
        Assert.Equal(new ClassifierUpdates(0, 0, 2), world.Net.Tables["filter"].ClassifierUpdates);
        world.Run(["-A", "FORWARD", "-d", "10.2.0.0/16", "-j", "ACCEPT"]);
        Assert.Equal(new ClassifierUpdates(1, 1, 0), world.Net.Tables["filter"].ClassifierUpdates);
        world.Run(["-t", "mangle", "-A", "PREROUTING", "-j", "ACCEPT"]);
        Assert.Equal(new ClassifierUpdates(2, 0, 0), world.Net.Tables["filter"].ClassifierUpdates);

        // A replaced rule is one change too; two changes in one replacement (a restore) build the chain anew.
        world.Run(["-R", "INPUT", "1", "-s", "10.3.0.0/16", "-j", "DROP"]);
        Assert.Equal(new ClassifierUpdates(1, 1, 0), world.Net.Tables["filter"].ClassifierUpdates);
        world.Restore("*filter\n-R INPUT 2 -s 10.4.0.0/16 -j DROP\n-D INPUT 3\nCOMMIT\n");
        Assert.Equal(new ClassifierUpdates(1, 0, 1), world.Net.Tables["filter"].ClassifierUpdates);
        var ip = new IpFields(Ipv4Address.Parse("10.3.0.1"), Ipv4Address.Parse("192.0.2.1"));
        Assert.Equal(NfVerdict.Drop, world.Send(Hook.LocalIn, PacketBuilder.Udp(ip, 1, 2), 0, TimeSpan.Zero));
        ip = new IpFields(Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("192.0.2.1"));
        Assert.Equal(NfVerdict.Accept, world.Send(Hook.LocalIn, PacketBuilder.Udp(ip, 1, 2), 0, TimeSpan.Zero));
    }

    [Fact]
    public void Inserts_AtOnePlace_ChangeUntilNoRoom_ThenBuild_AnswersRight()
    {
        // Priorities leave 1023 free numbers between neighbours; inserting again and again at the same place halves
        // the room each time (512, 256, ... 1), so the eleventh insertion there finds none and the chain is built again.
        string rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, 40).Select(i => $"-A INPUT -s 10.0.{i}.0/24 -j DROP\n"))
            + "COMMIT\n";
        using var world = new World(rules, ClassifierMode.Auto, trace: false, 1);
        var seen = new List<ClassifierUpdates>();
        for (int i = 0; i < 12; i++)
        {
            world.Run(["-I", "INPUT", "2", "-s", $"10.0.1.{i}", "-j", "ACCEPT"]);
            seen.Add(world.Net.Tables["filter"].ClassifierUpdates);
            var ip = new IpFields(Ipv4Address.Parse($"10.0.1.{i}"), Ipv4Address.Parse("192.0.2.1"));
            Assert.Equal(NfVerdict.Accept, world.Send(Hook.LocalIn, PacketBuilder.Udp(ip, 1, 2), 0, TimeSpan.Zero));
            ip = new IpFields(Ipv4Address.Parse("10.0.1.200"), Ipv4Address.Parse("192.0.2.1"));
            Assert.Equal(NfVerdict.Drop, world.Send(Hook.LocalIn, PacketBuilder.Udp(ip, 1, 2), 0, TimeSpan.Zero));
        }

        Assert.Equal(Enumerable.Repeat(new ClassifierUpdates(0, 1, 0), 10), seen.Take(10));
        Assert.Equal(new ClassifierUpdates(0, 0, 1), seen[10]);
        Assert.Equal(new ClassifierUpdates(0, 1, 0), seen[11]);
    }

    [Fact]
    public void Auto_ShortChains_StayLinear_LongChainsClassified()
    {
        string Rules(int count) => "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, count).Select(i => $"-A INPUT -s 10.0.{i / 256}.{i % 256}/32 -j DROP\n"))
            + "COMMIT\n";
        using var small = new World(Rules(3), ClassifierMode.Auto, trace: false, 1);
        using var large = new World(Rules(100), ClassifierMode.Auto, trace: false, 1);
        Assert.False(small.Net.Tables["filter"].UsesClassifier);
        Assert.True(large.Net.Tables["filter"].UsesClassifier);
        Assert.True(large.Net.Tables["filter"].ClassifierBytes > 0);

        // The 100th rule takes the packet from 10.0.0.99; none before it counts it.
        var ip = new IpFields(Ipv4Address.Parse("10.0.0.99"), Ipv4Address.Parse("192.0.2.1"));
        Assert.Equal(NfVerdict.Drop, large.Send(Hook.LocalIn, PacketBuilder.Udp(ip, 1, 2), 0, TimeSpan.Zero));
        Assert.Equal(string.Concat(Enumerable.Range(0, 100).Select(i => i == 99 ? "1 " : "0 ")) + "0 0 0 ", large.Counters(bytes: false));
    }

    [Theory]
    [InlineData(ClassifierMode.Linear)]
    [InlineData(ClassifierMode.Auto)]
    public void LimitBeforePorts_PacketOfOtherPortStillSpendsTheCredit(ClassifierMode mode)
    {
        // The kernel checks limit first: a packet to port 22 spends the only credit, although the tcp match then
        // says no; the packet to port 80 that follows finds none. Filler rules make the chain long enough for Auto.
        string rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, 40).Select(i => $"-A INPUT -s 10.9.{i}.0/24 -j DROP\n"))
            + "-A INPUT -p tcp -m limit --limit 1/hour --limit-burst 1 -m tcp --dport 80 -j DROP\n"
            + "-A INPUT -p tcp ! --dport 80 -j ACCEPT\n"
            + "COMMIT\n";
        using var world = new World(rules, mode, trace: false, 1);
        Assert.Equal(mode == ClassifierMode.Auto, world.Net.Tables["filter"].UsesClassifier);
        var ip = new IpFields(Ipv4Address.Parse("10.0.0.1"), Ipv4Address.Parse("192.0.2.1"));
        Assert.Equal(NfVerdict.Accept, world.Send(Hook.LocalIn, PacketBuilder.Tcp(ip, 1000, 22, TcpHeader.Syn), 0, TimeSpan.Zero));
        Assert.Equal(NfVerdict.Accept, world.Send(Hook.LocalIn, PacketBuilder.Tcp(ip, 1000, 80, TcpHeader.Syn), 0, TimeSpan.Zero));
        Assert.EndsWith(" 0 1 1 0 0 ", world.Counters(bytes: false)); // limit rule, ! --dport 80, INPUT policy, FORWARD, OUTPUT
    }

    /// <summary>A namespace with a ruleset, and what it did: tracer events, marks, log lines.</summary>
    private sealed class World : IPacketTracer, IPacketLogSink, IDisposable
    {
        private readonly ManualClock _clock = new();
        private readonly NetDevice _eth0;
        private readonly NetDevice _eth1;

        private readonly MemoryRulesetStore _store = new();

        public World(string rules, ClassifierMode mode, bool trace, int seed)
        {
            var store = _store;
            var errors = new StringWriter();
            int status = new RestoreCommand(store, LibcNameService.Instance)
                .Run([], new MemoryStream(Encoding.UTF8.GetBytes(rules)), new ToolOutput(TextWriter.Null, errors));
            Assert.True(status == 0, $"{errors}\n{rules}");
            var host = new HostModel();
            _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:01"));
            _eth1 = host.AddDevice("eth1", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:02"));
            host.AddAddress(_eth0, Ipv4Address.Parse("192.0.2.1"), 24);
            host.AddAddress(_eth1, Ipv4Address.Parse("198.51.100.1"), 24);
            host.RespondsLocally = false;
            Net = new NetNamespace(host, _clock, this) { Random = new Random(seed), ClassifierMode = mode };
            Net.Tracer = trace ? this : null;
            Net.Load(store.Ruleset);
        }

        public NetNamespace Net { get; }

        /// <summary>Runs iptables-restore --noflush with <paramref name="text"/> and loads the result.</summary>
        public void Restore(string text)
        {
            var errors = new StringWriter();
            int status = new RestoreCommand(_store, LibcNameService.Instance)
                .Run(["--noflush"], new MemoryStream(Encoding.UTF8.GetBytes(text)), new ToolOutput(TextWriter.Null, errors));
            Assert.True(status == 0, $"{errors}\n{text}");
            Net.Load(_store.Ruleset);
        }

        /// <summary>Runs an iptables command on the ruleset and loads the result, as the daemon does after an edit.</summary>
        public void Run(IReadOnlyList<string> args)
        {
            var errors = new StringWriter();
            int status = new IptablesCommand(_store, LibcNameService.Instance).Run(args, new ToolOutput(TextWriter.Null, errors));
            Assert.True(status == 0, $"{string.Join(' ', args)}: {errors}");
            Net.Load(_store.Ruleset);
        }

        public List<string> Events { get; } = [];

        public List<uint> Marks { get; } = [];

        public List<string> Lines { get; } = [];

        public uint Send(Hook hook, byte[] datagram, uint mark, TimeSpan advance)
        {
            _clock.Advance(advance);
            var packet = new Packet();
            packet.LoadDatagram(datagram);
            packet.Mark = mark;
            uint verdict = hook switch
            {
                Hook.Forward => Net.Evaluate(hook, packet, _eth0, _eth1),
                Hook.LocalOut => Net.Evaluate(hook, packet, null, _eth1),
                _ => Net.Evaluate(hook, packet, _eth0, null),
            };
            Marks.Add(packet.Mark);
            return verdict;
        }

        public string Counters(bool bytes = true)
        {
            var text = new StringBuilder();
            foreach (var entry in Net.Tables["filter"].Entries)
            {
                text.Append(entry.Counters.Packets);
                if (bytes)
                {
                    text.Append(':').Append(entry.Counters.Bytes);
                }

                text.Append(' ');
            }

            return text.ToString();
        }

        public void TableStarted(PacketContext context) => Events.Add($"start {context.Hook}");

        public void EntryMissed(PacketContext context, CompiledEntry entry) => Events.Add($"miss {entry.Chain}:{entry.RuleNumber}");

        public void EntryMatched(PacketContext context, CompiledEntry entry) => Events.Add($"match {entry.Chain}:{entry.RuleNumber}");

        public void EntryVerdict(PacketContext context, CompiledEntry entry, uint verdict) =>
            Events.Add($"verdict {entry.Chain}:{entry.RuleNumber} {verdict}");

        public void TableFinished(PacketContext context, uint verdict) => Events.Add($"end {verdict}");

        public void Continued(Packet from, Packet to) => Events.Add("continued");

        public void Note(Packet packet, TraceNote kind, string detail) => Events.Add($"{kind} {detail}");

        public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time) => Lines.Add($"{level} {message}");

        public void Dispose() => Net.Load(new Ruleset());
    }
}
