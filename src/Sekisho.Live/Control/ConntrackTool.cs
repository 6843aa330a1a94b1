using System.Text;
using Sekisho.Netfilter.Conntrack;

namespace Sekisho.Live.Control;

/// <summary><c>conntrack -L|-C|-F</c> over a table, for the state directory and for the daemon alike.</summary>
/// <remarks>
/// The subset of conntrack-tools 1.4.7 that reads the table: <c>-L</c> (<c>--dump</c>) prints the entries to
/// standard output and the summary line to standard error, <c>-C</c> (<c>--count</c>) prints the number of
/// entries, <c>-F</c> (<c>--flush</c>) empties the table.
/// </remarks>
public static class ConntrackTool
{
    /// <summary>The program's name and version as conntrack prints them.</summary>
    public const string Program = "conntrack v1.4.7 (conntrack-tools)";

    /// <summary>Runs the tool; returns its exit status.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, IConntrackAccess table)
    {
        if (args.Count != 1)
        {
            stderr.Write(args.Count == 0
                ? $"{Program}: no command specified\nTry `conntrack -h' or 'conntrack --help' for more information.\n"
                : $"{Program}: only one of -L, -C and -F is supported\n");
            return 2;
        }

        switch (args[0])
        {
            case "-L":
            case "--dump":
                var (listing, count) = table.Read(t =>
                {
                    var text = new StringWriter(new StringBuilder()) { NewLine = "\n" };
                    t.WriteListing(text);
                    return (text.ToString(), t.LiveCount);
                });
                stdout.Write(listing);
                stderr.Write(ConntrackListing.Summary(count));
                return 0;
            case "-C":
            case "--count":
                stdout.Write($"{table.Read(t => t.LiveCount)}\n");
                return 0;
            case "-F":
            case "--flush":
                table.Flush();
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
