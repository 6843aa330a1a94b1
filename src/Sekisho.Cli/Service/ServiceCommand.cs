using Sekisho.Iptables.State;
using Sekisho.Live.Control;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Cli.Service;

/// <summary><c>sekisho service start|stop|status|save|restart</c>: the firewall service's life cycle.</summary>
/// <remarks>
/// <para>The commands and lines of CentOS' <c>service iptables ...</c> (iptables-services' <c>iptables.init</c>),
/// for a firewall that is a daemon: start launches it (through systemd when the unit is installed, else detached,
/// waiting for its control socket to answer), stop asks it to stop and waits, status reports it, save writes the
/// running ruleset — or, with no daemon, the state directory's — to the rules file. Exit statuses are the LSB init
/// script ones: status 0 running, 1 dead with its socket left behind, 3 not running, 4 unknown or not permitted;
/// start and stop 0 on success (also when already running or stopped), 1 on failure, 6 when not configured.</para>
/// </remarks>
internal sealed class ServiceCommand(TextWriter stdout, TextWriter stderr)
{
    private const string Usage =
        "Usage: sekisho service {start|stop|status|save|restart}\n" +
        "       sekisho service daemon     (systemd's ExecStart: the daemon in the foreground, options from the configuration)\n";

    /// <summary>Starts and stops the daemon.</summary>
    public DaemonLauncher Launcher { get; init; } = new();

    public int Run(IReadOnlyList<string> args)
    {
        if (args.Count != 1)
        {
            stderr.Write(Usage);
            return 2;
        }

        DaemonConfig config;
        try
        {
            config = DaemonConfig.Load(DaemonConfig.FilePath());
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            stderr.Write($"sekisho: {ex.Message}\n");
            return 6;
        }

        switch (args[0])
        {
            case "start":
                return Start(config);
            case "stop":
                return Stop(config);
            case "restart":
                int stopped = Stop(config);
                return stopped != 0 ? stopped : Start(config);
            case "status":
                return Status();
            case "save":
                return Save(config);
            case "daemon":
                return Foreground(config);
            default:
                stderr.Write(Usage);
                return 2;
        }
    }

    private static string SocketPath => ControlPaths.SocketPath();

    private static ControlOutcome Ask(string tool) =>
        ControlClient.Send(SocketPath, new ControlRequest(tool, [], Environment.CurrentDirectory), null, TimeSpan.FromSeconds(30));

    private int Status()
    {
        var outcome = Ask("service-status");
        switch (outcome.Kind)
        {
            case ControlOutcomeKind.Completed:
                Print(outcome.Response!);
                return outcome.Response!.ExitCode;
            case ControlOutcomeKind.NoDaemon:
                stdout.Write(ServiceText.NotRunning);
                return 3;
            case ControlOutcomeKind.Stale:
                stdout.Write($"sekisho: the firewall daemon is dead, but its control socket {SocketPath} remains.\n");
                return 1;
            default:
                return Unknown(outcome);
        }
    }

    private int Save(DaemonConfig config)
    {
        var outcome = Ask("service-save");
        switch (outcome.Kind)
        {
            case ControlOutcomeKind.Completed:
                Print(outcome.Response!);
                return outcome.Response!.ExitCode;
            case ControlOutcomeKind.NoDaemon:
                // As CentOS saves the kernel's tables with the service stopped: the state directory is the kernel.
                var names = LibcNameService.Instance;
                return RulesFileSaver.Save(new StateDirectory(StateDirectory.DefaultPath(), names), names, config.RulesFile, stdout, stderr);
            case ControlOutcomeKind.Stale:
                stdout.Write(ServiceText.Saving(config.RulesFile) + ServiceText.Failed + "\n");
                stderr.Write($"sekisho: the firewall daemon does not answer on {SocketPath}: it has stopped or crashed; nothing saved.\n");
                return 1;
            default:
                return Unknown(outcome);
        }
    }

    /// <summary>
    /// The daemon in this process, with the configuration's options: the unit's ExecStart, so the process systemd
    /// started is the one that reports readiness.
    /// </summary>
    private int Foreground(DaemonConfig config)
    {
        if (config.Interfaces.Count == 0)
        {
            stderr.Write($"sekisho: no interfaces configured: set `interfaces = IF ...' in {DaemonConfig.FilePath()}\n");
            return 6;
        }

        return Dispatcher.Run("sekisho", ["daemon", .. config.DaemonArguments()], stdout, stderr);
    }

    private int Start(DaemonConfig config)
    {
        var outcome = Ask("service-status");
        if (outcome.Kind == ControlOutcomeKind.Completed)
        {
            stdout.Write("sekisho: the firewall daemon is already running.\n");
            return 0;
        }

        if (outcome.Kind is ControlOutcomeKind.PermissionDenied or ControlOutcomeKind.Failed)
        {
            return Unknown(outcome);
        }

        if (config.Interfaces.Count == 0)
        {
            stdout.Write(ServiceText.Applying + ServiceText.Failed + "\n");
            stderr.Write($"sekisho: no interfaces configured: set `interfaces = IF ...' in {DaemonConfig.FilePath()}\n");
            return 6;
        }

        if (DaemonLauncher.UnderSystemd())
        {
            var (code, output) = DaemonLauncher.Systemctl("start");
            stdout.Write(ServiceText.Applying + (code == 0 ? ServiceText.Ok : ServiceText.Failed) + "\n");
            stderr.Write(output);
            return code == 0 ? 0 : 1;
        }

        string runDirectory = ControlPaths.RunDirectory();
        Directory.CreateDirectory(runDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string log = Path.Combine(runDirectory, "daemon.log");
        int pid = Launcher.Spawn(["daemon", .. config.DaemonArguments()], log);
        bool answered = Launcher.WaitFor(() => Ask("service-status").Kind == ControlOutcomeKind.Completed || !DaemonLauncher.Alive(pid));
        if (answered && DaemonLauncher.Alive(pid))
        {
            stdout.Write(ServiceText.Applying + ServiceText.Ok + "\n");
            return 0;
        }

        stdout.Write(ServiceText.Applying + ServiceText.Failed + "\n");
        stderr.Write(DaemonLauncher.Alive(pid)
            ? $"sekisho: the daemon (pid {pid}) did not answer on {SocketPath} within {Launcher.Timeout.TotalSeconds:0} s; it keeps running; its output is in {log}\n"
            : $"sekisho: the daemon exited while starting; its output ({log}):\n{Tail(log)}");
        return 1;
    }

    private int Stop(DaemonConfig config)
    {
        if (DaemonLauncher.UnderSystemd())
        {
            var (code, output) = DaemonLauncher.Systemctl("stop");
            stdout.Write(ServiceText.Stopping + (code == 0 ? ServiceText.Ok : ServiceText.Failed) + "\n");
            stderr.Write(output);
            return code == 0 ? 0 : 1;
        }

        var outcome = Ask("service-stop");
        switch (outcome.Kind)
        {
            case ControlOutcomeKind.NoDaemon:
                stdout.Write(ServiceText.NotRunning);
                return 0;
            case ControlOutcomeKind.Stale:
                // A crash without systemd's ExecStopPost: apply the recorded fail mode, then forget the socket.
                int cleanup = Launcher.Spawn(["daemon", "--cleanup"], Path.Combine(ControlPaths.RunDirectory(), "daemon.log"));
                Launcher.WaitFor(() => !DaemonLauncher.Alive(cleanup));
                File.Delete(SocketPath);
                stdout.Write(ServiceText.Stopping + ServiceText.Ok + "\n");
                return 0;
            case ControlOutcomeKind.Completed:
                bool gone = Launcher.WaitFor(() => !ControlClient.Answers(SocketPath));
                stdout.Write(ServiceText.Stopping + (gone ? ServiceText.Ok : ServiceText.Failed) + "\n");
                if (!gone)
                {
                    stderr.Write($"sekisho: the daemon still answers on {SocketPath} after {Launcher.Timeout.TotalSeconds:0} s\n");
                }

                return gone ? 0 : 1;
            default:
                return Unknown(outcome);
        }
    }

    private int Unknown(ControlOutcome outcome)
    {
        stderr.Write(outcome.Kind == ControlOutcomeKind.PermissionDenied
            ? "sekisho: Permission denied (you must be root)\n"
            : $"sekisho: the firewall daemon ({SocketPath}): {outcome.Message}\n");
        return 4;
    }

    private void Print(ControlResponse response)
    {
        stdout.Write(System.Text.Encoding.UTF8.GetString(response.Stdout));
        stderr.Write(System.Text.Encoding.UTF8.GetString(response.Stderr));
    }

    private static string Tail(string log)
    {
        try
        {
            var lines = File.ReadAllLines(log);
            return string.Concat(lines.Skip(Math.Max(0, lines.Length - 10)).Select(l => l + "\n"));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
