using System.Text;
using Sekisho.Live.Control;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Live.Tests;

/// <summary>
/// An in-process daemon without a network: seed document 000's server 1 as the engine, a live firewall over it, and a
/// control server on a socket in a temporary run directory ($SEKISHO_RUN_DIR points there while the fixture lives).
/// </summary>
public sealed class LiveDaemonFixture : IDisposable
{
    public static readonly Ipv4Address Server1 = Ipv4Address.Parse("10.1.51.165");
    public static readonly Ipv4Address Server2 = Ipv4Address.Parse("10.1.77.146");

    private readonly string? _previousRunDir = Environment.GetEnvironmentVariable("SEKISHO_RUN_DIR");
    private ushort _sequence;

    public LiveDaemonFixture(string? rules = null, string? runDirectory = null)
    {
        Root = Directory.CreateTempSubdirectory("sekisho-live-").FullName;
        RunDirectory = runDirectory ?? Path.Combine(Root, "run");
        RulesFile = Path.Combine(Root, "iptables");
        Environment.SetEnvironmentVariable("SEKISHO_RUN_DIR", RunDirectory);
        Lab = new SekishoLab(LabHost.SeedServer1());
        Firewall = new LiveFirewall(Lab.Net, new Ruleset());
        Info = new DaemonInfo(RulesFile, ["eth0"], () =>
        {
            StopRequested.Set();
            Server!.Dispose(); // as the daemon does once it has stopped
        });
        Server = new ControlServer(Firewall, Info, ControlPaths.SocketPath()) { Log = message => ServerLog.Add(message) };
        Server.Start();
        if (rules != null)
        {
            var result = Run("iptables-restore", rules);
            Assert.True(result.ExitCode == 0, result.Stderr);
        }
    }

    public string Root { get; }

    public string RunDirectory { get; }

    public string RulesFile { get; }

    public SekishoLab Lab { get; }

    public LiveFirewall Firewall { get; }

    public DaemonInfo Info { get; }

    public ControlServer Server { get; }

    public ManualResetEventSlim StopRequested { get; } = new();

    public List<string> ServerLog { get; } = [];

    /// <summary>Runs a tool through the socket: <c>iptables -A INPUT ...</c>.</summary>
    public ToolResult Run(string commandLine, string? stdin = null)
    {
        var words = ShellWords.Split(commandLine);
        return Run(words[0], words.Skip(1).ToList(), stdin == null ? null : new MemoryStream(Encoding.UTF8.GetBytes(stdin)));
    }

    /// <summary>Runs a tool through the socket with an argument list and a standard input stream.</summary>
    public ToolResult Run(string tool, IReadOnlyList<string> args, Stream? stdin)
    {
        var outcome = ControlClient.Send(Server.SocketPath, new ControlRequest(tool, args, Root), stdin);
        Assert.True(outcome.Kind == ControlOutcomeKind.Completed, $"{outcome.Kind}: {outcome.Message}");
        var response = outcome.Response!;
        return new ToolResult(response.ExitCode, Encoding.UTF8.GetString(response.Stdout), Encoding.UTF8.GetString(response.Stderr));
    }

    /// <summary>Server 2 pings server 1 (an echo request received on eth0), between two batches as the data plane does.</summary>
    public PacketResult Ping()
    {
        var ip = new IpFields(Server2, Server1) { Id = (ushort)(1000 + _sequence) };
        byte[] frame = Lab.Host.FrameTo("eth0", PacketBuilder.Echo(ip, 1496, ++_sequence, new byte[56]));
        lock (Firewall.Gate)
        {
            var device = Lab.Net.Host.FindDevice("eth0")!;
            var result = Lab.Net.Receive(device, frame);
            Firewall.CountPackets(1);
            return result;
        }
    }

    public void Dispose()
    {
        Server.Dispose();
        Environment.SetEnvironmentVariable("SEKISHO_RUN_DIR", _previousRunDir);
        Directory.Delete(Root, recursive: true);
    }
}
