using Sekisho.Iptables.State;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Cli.Conntrack;

/// <summary><c>sekisho conntrack</c>: lists, counts or flushes the state directory's connection tracking table.</summary>
/// <remarks>
/// The subset of conntrack-tools 1.4.7 that reads the table: <c>-L</c> (<c>--dump</c>) prints the entries to
/// standard output and the summary line to standard error, <c>-C</c> (<c>--count</c>) prints the number of
/// entries, <c>-F</c> (<c>--flush</c>) empties the table. The remaining timeouts are those saved with the table.
/// </remarks>
internal sealed class ConntrackCommand(StateDirectory state, TimeProvider? clock = null)
{
    private const string Program = "conntrack v1.4.7 (conntrack-tools)";

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count != 1)
        {
            stderr.Write(args.Count == 0
                ? $"{Program}: no command specified\nTry `conntrack -h' or 'conntrack --help' for more information.\n"
                : $"{Program}: only one of -L, -C and -F is supported\n");
            return 2;
        }

        var net = new NetNamespace(new HostModel(), clock);
        try
        {
            state.LoadConntrack(net.Conntrack);
        }
        catch (InvalidDataException ex)
        {
            stderr.Write($"sekisho: the conntrack file {state.ConntrackPath} is damaged: {ex.Message}\n");
            return 1;
        }

        switch (args[0])
        {
            case "-L":
            case "--dump":
                net.Conntrack.WriteListing(stdout);
                stderr.Write(ConntrackListing.Summary(net.Conntrack.LiveCount));
                return 0;
            case "-C":
            case "--count":
                stdout.Write($"{net.Conntrack.LiveCount}\n");
                return 0;
            case "-F":
            case "--flush":
                using (state.Lock(-1))
                {
                    net.Conntrack.Flush();
                    state.SaveConntrack(net.Conntrack);
                }

                stderr.Write($"{Program}: connection tracking table has been emptied.\n");
                return 0;
            case "-h":
            case "--help":
                stdout.Write("Usage: sekisho conntrack -L | -C | -F\n");
                return 0;
            default:
                stderr.Write($"{Program}: unknown option `{args[0]}'\nTry `conntrack -h' or 'conntrack --help' for more information.\n");
                return 2;
        }
    }
}
