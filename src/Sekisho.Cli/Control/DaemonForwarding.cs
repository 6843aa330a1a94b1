using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Live.Control;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Cli.Control;

/// <summary>Sends a tool's invocation to the running daemon instead of the state directory.</summary>
/// <remarks>
/// <para>The daemon is asked when its socket exists: <c>$SEKISHO_RUN_DIR/control.sock</c> when that variable is
/// set; otherwise <c>/run/sekisho/control.sock</c>, unless <c>$SEKISHO_STATE_DIR</c> names a state directory, which
/// then wins (tests and scripts that chose a state directory keep it).</para>
/// <para>A socket nobody answers (a daemon that crashed) is an error, never a silent fall back to the state
/// directory: the user meant to change the running firewall, and an edit of the state directory would not reach
/// it. A user the daemon refuses gets iptables' own permission errors (<see cref="DeniedRulesetStore"/>).</para>
/// </remarks>
internal static class DaemonForwarding
{
    /// <summary>Whether this invocation should look for a daemon at all.</summary>
    public static bool Enabled() =>
        ControlPaths.RunDirectoryConfigured() || string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SEKISHO_STATE_DIR"));

    /// <summary>Runs the tool in the daemon; null when no daemon runs (the caller uses the state directory).</summary>
    public static int? TryRun(string tool, IReadOnlyList<string> args, Func<Stream> stdin, TextWriter stdout, TextWriter stderr)
    {
        if (!Enabled())
        {
            return null;
        }

        string socket = ControlPaths.SocketPath();
        var request = new ControlRequest(tool, args, Environment.CurrentDirectory);
        var outcome = ControlClient.Send(socket, request, tool == "iptables-restore" ? stdin() : null);
        switch (outcome.Kind)
        {
            case ControlOutcomeKind.Completed:
                Write(stdout, outcome.Response!.Stdout);
                Write(stderr, outcome.Response.Stderr);
                return outcome.Response.ExitCode;
            case ControlOutcomeKind.NoDaemon:
                return null;
            case ControlOutcomeKind.PermissionDenied:
                return RunDenied(tool, args, stdin, stdout, stderr);
            case ControlOutcomeKind.Stale:
                stderr.Write($"sekisho: the firewall daemon does not answer on {socket} (connection refused): it has stopped or crashed.\n" +
                             "sekisho: start it again (sekisho service start), or remove the socket to edit the state directory instead.\n");
                return (int)ExitStatus.ResourceProblem;
            default:
                stderr.Write($"sekisho: the firewall daemon ({socket}): {outcome.Message}\n");
                return (int)ExitStatus.ResourceProblem;
        }
    }

    private static int RunDenied(string tool, IReadOnlyList<string> args, Func<Stream> stdin, TextWriter stdout, TextWriter stderr)
    {
        var output = new ToolOutput(stdout, stderr);
        var store = new DeniedRulesetStore(tool);
        var names = LibcNameService.Instance;
        switch (tool)
        {
            case "iptables":
                return new IptablesCommand(store, names).Run(args, output);
            case "iptables-save":
                return new SaveCommand(store, names).Run(args, output);
            case "iptables-restore":
                return new RestoreCommand(store, names).Run(args, stdin(), output);
            case "conntrack":
                stderr.Write($"{ConntrackTool.Program}: Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this\n");
                return 1;
            default:
                stderr.Write("sekisho: Permission denied (you must be root)\n");
                return 4;
        }
    }

    private static void Write(TextWriter writer, byte[] bytes)
    {
        if (bytes.Length == 0)
        {
            return;
        }

        if (writer is StreamWriter { BaseStream: { } stream } streamWriter)
        {
            streamWriter.Flush();
            stream.Write(bytes);
            stream.Flush();
        }
        else
        {
            writer.Write(Encoding.UTF8.GetString(bytes));
        }
    }
}
