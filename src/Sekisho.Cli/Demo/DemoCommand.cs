using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Logging;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Cli.Demo;

/// <summary><c>sekisho demo</c>: seed document 000's session, replayed on a simulated server 1.</summary>
/// <remarks>
/// Runs in memory: its own ruleset, host model and clock (starting at the document's time), so it needs no root,
/// no kernel and no state directory, and leaves nothing behind.
/// </remarks>
internal sealed class DemoCommand : IPacketTransmitter, IPacketLogSink
{
    private readonly List<(DateTimeOffset Time, string Message)> _log = [];
    private readonly List<byte[]> _sent = [];
    private readonly MemoryRulesetStore _store = new();
    private readonly ManualClock _clock = new(SeedScenario.Start);
    private readonly INameService _names;
    private readonly NetNamespace _net;
    private readonly NetDevice _eth0;
    private object? _loaded;
    private int _loadedTables;

    public DemoCommand(INameService system)
    {
        _names = new SeedHosts(system, new Dictionary<Ipv4Address, string>
        {
            [SeedScenario.Server1] = "server1",
            [SeedScenario.Server2] = "server2",
        });
        var host = new HostModel("localhost");
        _eth0 = host.AddDevice("eth0", DeviceType.Ethernet, SeedScenario.Server1Mac);
        host.AddAddress(_eth0, SeedScenario.Server1, 24);
        host.AddDefaultRoute(SeedScenario.Router, _eth0);
        host.AddNeighbour(SeedScenario.Router, SeedScenario.RouterMac);
        _net = new NetNamespace(host, _clock, this) { Transmitter = this };
    }

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count > 0)
        {
            if (args[0] is "-h" or "--help")
            {
                stdout.Write("Usage: sekisho demo\n\nReplays seed document 000's session (logging, dropping and rejecting what server 2 sends\nserver 1) on a simulated server, and prints each command, the log lines and the listings.\n");
                return 0;
            }

            stderr.Write($"sekisho demo: unexpected argument `{args[0]}'\n");
            return 2;
        }

        foreach (var step in SeedScenario.Steps())
        {
            switch (step)
            {
                case Say say:
                    stdout.Write('\n');
                    stdout.Write(say.Text.TrimEnd() + "\n");
                    break;
                case Run run:
                    stdout.Write($"server1$ sudo {run.CommandLine}\n");
                    if (run.Time is { } at)
                    {
                        _clock.Set(at);
                    }

                    var result = Execute(run.CommandLine);
                    stdout.Write(result.Stdout);
                    stdout.Write(result.Stderr);
                    break;
                case Traffic traffic:
                    stdout.Write($"{traffic.Prompt}\n");
                    _sent.Clear();
                    if (traffic.FirstIdentifier is { } id)
                    {
                        _net.Stack.NextIdentifier = id;
                    }

                    foreach (var (time, datagram) in traffic.Packets)
                    {
                        _clock.Set(time);
                        _net.Receive(_eth0, PacketBuilder.Ethernet(SeedScenario.Server1Mac, SeedScenario.RouterMac, datagram));
                    }

                    stdout.Write($"  {traffic.Outcome(traffic.Packets.Count, _sent.Select(f => f[14..]).ToList())}\n");
                    break;
                case ShowLog:
                    stdout.Write("server1$ sudo tail /var/log/messages\n");
                    var line = new StringBuilder();
                    foreach (var (time, message) in _log)
                    {
                        MessagesFileSink.AppendLine(line, message, time, "localhost", TimeZoneInfo.Utc);
                    }

                    stdout.Write(line.ToString());
                    _log.Clear();
                    break;
            }
        }

        return 0;
    }

    public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame) => _sent.Add(frame.ToArray());

    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time) => _log.Add((time, message.ToString()));

    private (string Stdout, string Stderr) Execute(string commandLine)
    {
        var words = ShellWords.Split(commandLine);
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var output = new ToolOutput(stdout, stderr);
        _ = words[0] switch
        {
            "iptables" => new IptablesCommand(_store, _names).Run(words[1..], output),
            "iptables-save" => new SaveCommand(_store, _names, _clock).Run(words[1..], output),
            _ => throw new InvalidOperationException($"unknown demo command {words[0]}"),
        };
        if (!ReferenceEquals(_store.Ruleset, _loaded) || _store.Ruleset.Tables.Count != _loadedTables)
        {
            _net.Load(_store.Ruleset);
            _loaded = _store.Ruleset;
            _loadedTables = _store.Ruleset.Tables.Count;
        }

        return (stdout.ToString(), stderr.ToString());
    }

    /// <summary>A clock the scenario sets to each packet's time.</summary>
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

        public void Set(DateTimeOffset time) => _now = time;
    }
}
