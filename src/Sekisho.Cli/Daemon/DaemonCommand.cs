using Sekisho.Live.Daemon;

namespace Sekisho.Cli.Daemon;

/// <summary>The <c>daemon</c> command: Sekisho as the firewall of real interfaces, in the foreground (systemd runs it).</summary>
internal sealed class DaemonCommand
{
    private const string Usage =
        "Usage: sekisho daemon --interface NAME [--interface NAME...] [--rules FILE] [--fail open|closed]\n" +
        "       sekisho daemon --cleanup\n" +
        "\n" +
        "  -i, --interface NAME   stand between NAME and the host (repeatable)\n" +
        "  -r, --rules FILE       the iptables-save file loaded at start (default /etc/sysconfig/iptables;\n" +
        "                         a missing file is an empty ruleset)\n" +
        "  --fail open|closed     traffic while no daemon runs: open = the interfaces go back to the host with\n" +
        "                         their configuration (default); closed = they stay cut off behind the daemon\n" +
        "  --cleanup              after a crash (systemd's ExecStopPost): apply the recorded fail mode\n" +
        "\n" +
        "The run directory ($SEKISHO_RUN_DIR, else /run/sekisho) records what the daemon changed on the host.\n";

    /// <summary>Runs the command.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        var options = new DaemonOptions();
        bool cleanup = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            string? inline = null;
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inline = arg[(equals + 1)..];
                arg = arg[..equals];
            }

            switch (arg)
            {
                case "-i":
                case "--interface":
                    if (Value(args, ref i, inline) is not { Length: > 0 } name)
                    {
                        return Fail(stderr, $"option `{arg}' needs an interface name");
                    }

                    options.Interfaces.Add(name);
                    break;
                case "-r":
                case "--rules":
                    if (Value(args, ref i, inline) is not { Length: > 0 } file)
                    {
                        return Fail(stderr, $"option `{arg}' needs a file");
                    }

                    options.RulesFile = file;
                    break;
                case "--fail":
                    switch (Value(args, ref i, inline))
                    {
                        case "open":
                            options.FailMode = FailMode.Open;
                            break;
                        case "closed":
                            options.FailMode = FailMode.Closed;
                            break;
                        default:
                            return Fail(stderr, "--fail takes `open' or `closed'");
                    }

                    break;
                case "--cleanup":
                    cleanup = true;
                    break;
                case "-h":
                case "--help":
                    stdout.Write(Usage);
                    return 0;
                default:
                    return Fail(stderr, $"unknown option `{args[i]}'");
            }
        }

        if (cleanup)
        {
            stdout.Write($"sekisho daemon: {Interposer.Cleanup(options.RunDirectory, stderr)}\n");
            return 0;
        }

        if (options.Interfaces.Count == 0)
        {
            return Fail(stderr, "no interface to stand in front of (--interface NAME)");
        }

        if (options.Interfaces.Distinct(StringComparer.Ordinal).Count() != options.Interfaces.Count)
        {
            return Fail(stderr, "an interface is named twice");
        }

        return new LiveDaemon(options, stderr).Run();
    }

    private static string? Value(IReadOnlyList<string> args, ref int i, string? inline)
    {
        if (inline is not null)
        {
            return inline;
        }

        return ++i < args.Count ? args[i] : null;
    }

    private static int Fail(TextWriter stderr, string message)
    {
        stderr.Write($"sekisho daemon: {message}\n{Usage}");
        return 2;
    }
}
