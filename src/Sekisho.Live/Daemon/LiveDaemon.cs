using System.Net.Sockets;
using System.Runtime.InteropServices;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Live.Control;
using Sekisho.Live.DataPlane;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Logging;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Live.Daemon;

/// <summary>The daemon's life: load the rules, interpose on the interfaces, run the data plane, stop in order.</summary>
/// <remarks>
/// Start: the rules file is loaded first (a broken file stops the daemon before anything changes on the host); then
/// the interfaces are interposed, the host model mirrors the host's view of them, the data plane starts on its own
/// thread, and systemd hears <c>READY=1</c>. SIGTERM and SIGINT stop the data plane, apply the fail mode and
/// leave the last ruleset, with its counters, in the state directory (what <c>iptables-save -c</c> shows after).
/// </remarks>
internal sealed class LiveDaemon
{
    private readonly DaemonOptions _options;
    private readonly TextWriter _log;
    private LiveDataPlane? _plane;
    private volatile bool _stopRequested;

    /// <summary>Creates a daemon; messages for the journal go to <paramref name="log"/>.</summary>
    public LiveDaemon(DaemonOptions options, TextWriter log)
    {
        _options = options;
        _log = log;
    }

    /// <summary>The running firewall, once started.</summary>
    public LiveFirewall? Firewall { get; private set; }

    /// <summary>Loads an iptables-save file into a ruleset; a missing file is an empty ruleset.</summary>
    /// <exception cref="InvalidDataException">The file cannot be restored; the message is iptables-restore's.</exception>
    public static Ruleset LoadRules(string path)
    {
        if (!File.Exists(path))
        {
            return new Ruleset();
        }

        var store = new MemoryRulesetStore();
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code;
        try
        {
            code = new RestoreCommand(store, LibcNameService.Instance).Run([path], Stream.Null, new ToolOutput(stdout, stderr));
        }
        catch (IOException ex)
        {
            throw new InvalidDataException($"cannot read {path}: {ex.Message}", ex);
        }

        if (code != 0)
        {
            throw new InvalidDataException($"cannot load {path}:\n{stderr.ToString().TrimEnd()}");
        }

        return store.Ruleset;
    }

    /// <summary>Runs until SIGTERM, SIGINT or <see cref="RequestStop"/>; the exit status.</summary>
    public int Run()
    {
        Ruleset ruleset;
        try
        {
            ruleset = LoadRules(_options.RulesFile);
        }
        catch (InvalidDataException ex)
        {
            _log.Write($"sekisho daemon: {ex.Message}\n");
            return 1;
        }

        string socketPath = ControlPaths.SocketPath();
        if (DaemonAnswers(socketPath))
        {
            _log.Write($"sekisho daemon: a daemon already runs (it answers on {socketPath})\n");
            return 1;
        }

        if (PrivateMountNamespace())
        {
            _log.Write("sekisho daemon: warning: running in a mount namespace of its own (ip netns exec?): the namespace the " +
                "interfaces move to is visible only here, and `sekisho daemon --cleanup' run elsewhere cannot bring them back; " +
                "use nsenter --net=/run/netns/NAME instead\n");
        }

        var neighbours = HostQuery.Neighbours(_options.Interfaces);
        Interposer interposer;
        try
        {
            interposer = Interposer.Start(_options.Interfaces, _options.FailMode, _options.RunDirectory, _log);
        }
        catch (IOException ex)
        {
            _log.Write($"sekisho daemon: {ex.Message}\n");
            return 1;
        }

        using var signals = new SignalHandlers(RequestStop);
        try
        {
            var host = interposer.Record.Interfaces.Build();
            host.HostName = Environment.MachineName;
            host.RespondsLocally = false;
            foreach (var (address, mac, _, _) in neighbours)
            {
                host.AddNeighbour(address, mac);
            }

            var state = new StateDirectory(_options.StateDirectory ?? StateDirectory.DefaultPath(), LibcNameService.Instance);
            Directory.CreateDirectory(state.Path);
            using var messages = new MessagesFileSink(state.MessagesPath, host.HostName);
            using var syslog = SyslogSink.TryOpen();
            var net = new NetNamespace(host, TimeProvider.System, syslog is null ? messages : new CompositeLogSink(messages, syslog));
            // The kernel's IDs of datagrams without DF come from a keyed hash: unpredictable, never counting from 1.
            net.Stack.NextIdentifier = (ushort)Random.Shared.Next(1, 65536);
            var firewall = new LiveFirewall(net, ruleset);
            Firewall = firewall;
            var links = new List<Link>();
            for (int i = 0; i < _options.Interfaces.Count; i++)
            {
                var (tap, wire) = interposer.Links[i];
                links.Add(new Link(host.FindDevice(_options.Interfaces[i])!, wire, tap));
            }

            using var plane = new LiveDataPlane(firewall, links);
            _plane = plane;
            var engine = new Thread(plane.Run) { Name = "sekisho-engine", IsBackground = true };
            engine.Start();
            if (_stopRequested)
            {
                plane.RequestStop();
            }

            using var follower = new HostFollower(firewall, interposer, interposer.Record.Interfaces, _options.RunDirectory, _log);
            using var groups = new MulticastFollower(firewall, _options.Interfaces, _log, TimeSpan.FromSeconds(1));
            using var control = new ControlServer(firewall,
                new DaemonInfo(_options.RulesFile, _options.Interfaces, RequestStop), socketPath, state.KernelLog);
            control.Start();
            int rules = ruleset.Tables.Sum(t => t.Chains.Sum(c => c.Rules.Count));
            string status = $"filtering {string.Join(", ", _options.Interfaces)}: {rules} rules from {_options.RulesFile}, fail {(_options.FailMode == FailMode.Open ? "open" : "closed")}";
            _log.Write($"sekisho daemon: {status}\n");
            SystemdNotify.Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}");
            engine.Join();

            SystemdNotify.Send("STOPPING=1\nSTATUS=stopping");
            lock (firewall.Gate)
            {
                using (state.Lock(-1))
                {
                    state.SaveRuleset(firewall.Ruleset);
                }
            }

            _log.Write($"sekisho daemon: stopped after {firewall.PacketsSeen} packets; the data plane ({plane.Threads} {(plane.Threads == 1 ? "thread" : "threads")}) allocated {plane.AllocatedBytes} bytes\n");
        }
        finally
        {
            _plane = null;
            interposer.Stop(_options.FailMode, _log);
        }

        return 0;
    }

    // Whether /run/netns is a slave here (ip netns exec makes every mount of its private mount namespace one): a
    // namespace bound there would not propagate back to the tools that clean up.
    private static bool PrivateMountNamespace()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/mountinfo"))
            {
                string[] fields = line.Split(' ');
                if (fields.Length > 6 && fields[4] == "/run/netns")
                {
                    var optional = fields.Skip(6).TakeWhile(f => f != "-").ToList();
                    return optional.Any(f => f.StartsWith("master:", StringComparison.Ordinal))
                        && !optional.Any(f => f.StartsWith("shared:", StringComparison.Ordinal));
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }

    // Whether something answers on the control socket: another daemon, whose interfaces this one must not touch.
    private static bool DaemonAnswers(string socketPath)
    {
        if (!File.Exists(socketPath))
        {
            return false;
        }

        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream,
            ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Asks the daemon to stop (the data plane finishes its batch first).</summary>
    public void RequestStop()
    {
        _stopRequested = true;
        _plane?.RequestStop();
    }

    private sealed class SignalHandlers : IDisposable
    {
        private readonly PosixSignalRegistration _term;
        private readonly PosixSignalRegistration _interrupt;

        public SignalHandlers(Action stop)
        {
            _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop();
            });
            _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
            {
                context.Cancel = true;
                stop();
            });
        }

        public void Dispose()
        {
            _term.Dispose();
            _interrupt.Dispose();
        }
    }
}
