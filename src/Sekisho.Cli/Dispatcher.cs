using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Cli;

/// <summary>Chooses the command to run from the program name and arguments.</summary>
internal static class Dispatcher
{
    private const string Usage =
        "Usage: sekisho COMMAND [ARGS...]\n" +
        "\n" +
        "Commands:\n" +
        "  iptables ARGS...          edit and list the ruleset, as iptables does\n" +
        "  iptables-save ARGS...     print the ruleset in iptables-save format\n" +
        "  iptables-restore ARGS...  load a ruleset in iptables-save format\n" +
        "  demo                      replay seed document 000's session on a simulated server\n" +
        "  trace PACKET...           show what the ruleset does to a described packet, step by step\n" +
        "  conntrack -L|-C|-F        list, count or flush the connection tracking table\n" +
        "  replay CAPTURE            run a pcap/pcapng capture through the ruleset; counters, log, conntrack\n" +
        "  host [COMMAND]            show or edit the host model (interfaces, routes) trace and replay use\n" +
        "  daemon --interface NAME   be the firewall of real interfaces (foreground; see daemon --help)\n" +
        "  service ACTION            start, stop, restart the firewall daemon; its status; save its ruleset\n" +
        "  version                   print Sekisho's version\n" +
        "\n" +
        "Started through a link named iptables, iptables-save or iptables-restore, sekisho acts as that command.\n" +
        "The ruleset lives in the state directory: $SEKISHO_STATE_DIR, else /var/lib/sekisho for root and\n" +
        "~/.local/state/sekisho for other users. While the daemon runs, the iptables tools and conntrack act on it\n" +
        "through its control socket ($SEKISHO_RUN_DIR/control.sock, else /run/sekisho/control.sock).\n";

    public static int Run(string programName, string[] args, TextWriter stdout, TextWriter stderr)
    {
        string command = StripLegacySuffix(programName);
        IReadOnlyList<string> rest = args;
        if (!IsTool(command))
        {
            if (args.Length == 0)
            {
                stderr.Write(Usage);
                return 2;
            }

            command = StripLegacySuffix(args[0]);
            rest = args[1..];
        }

        if (command is "iptables" or "iptables-save" or "iptables-restore" or "conntrack" &&
            Control.DaemonForwarding.TryRun(command, rest, Console.OpenStandardInput, stdout, stderr) is { } forwarded)
        {
            return forwarded;
        }

        var output = new ToolOutput(stdout, stderr);
        var names = LibcNameService.Instance;
        switch (command)
        {
            case "iptables":
                return new IptablesCommand(OpenState(names), names).Run(rest, output);
            case "iptables-save":
                return new SaveCommand(OpenState(names), names).Run(rest, output);
            case "iptables-restore":
                return new RestoreCommand(OpenState(names), names).Run(rest, Console.OpenStandardInput(), output);
            case "trace":
                return new Trace.TraceCommand(new StateDirectory(StateDirectory.DefaultPath(), names), names).Run(rest, stdout, stderr);
            case "conntrack":
                return new Conntrack.ConntrackCommand(OpenState(names)).Run(rest, stdout, stderr);
            case "host":
                return new Host.HostCommand(new StateDirectory(StateDirectory.DefaultPath(), names)).Run(rest, stdout, stderr);
            case "replay":
                return new Replay.ReplayCommand(new StateDirectory(StateDirectory.DefaultPath(), names)).Run(rest, stdout, stderr);
            case "daemon":
                return Daemon.DaemonCommand.Run(rest, stdout, stderr);
            case "service":
                return new Service.ServiceCommand(stdout, stderr).Run(rest);
            case "demo":
                return new Demo.DemoCommand(names).Run(rest, stdout, stderr);
            case "version":
            case "--version":
                stdout.Write($"sekisho {typeof(Dispatcher).Assembly.GetName().Version} (iptables v1.8.9 (legacy) compatible)\n");
                return 0;
            case "help":
            case "--help":
            case "-h":
                stdout.Write(Usage);
                return 0;
            default:
                stderr.Write($"sekisho: unknown command `{command}'\n{Usage}");
                return 2;
        }
    }

    private static bool IsTool(string name) => name is "iptables" or "iptables-save" or "iptables-restore";

    private static string StripLegacySuffix(string name) => name switch
    {
        "iptables-legacy" => "iptables",
        "iptables-legacy-save" => "iptables-save",
        "iptables-legacy-restore" => "iptables-restore",
        _ => name,
    };

    private static StateDirectory OpenState(INameService names) => new(StateDirectory.DefaultPath(), names);
}
