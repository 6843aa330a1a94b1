using System.Text;
using Sekisho.Iptables.Libiptc;
using Sekisho.Iptables.Parsing;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>The <c>iptables-restore</c> command.</summary>
/// <remarks>
/// iptables-legacy's <c>ip46tables_restore_main()</c>: tables between <c>*name</c> and <c>COMMIT</c> are
/// rebuilt (flushed first unless <c>--noflush</c>) and committed one at a time, so a table that fails leaves
/// the kernel's version untouched while tables committed before it stay committed. Errors in a rule line are
/// reported with "Error occurred at line: N" (exit 2); failed operations with "line N failed" (exit 1).
/// </remarks>
public sealed class RestoreCommand
{
    private static readonly LongOption[] s_options =
    [
        new("counters", ArgumentKind.None, 'c'),
        new("verbose", ArgumentKind.None, 'v'),
        new("version", ArgumentKind.None, 'V'),
        new("test", ArgumentKind.None, 't'),
        new("help", ArgumentKind.None, 'h'),
        new("noflush", ArgumentKind.None, 'n'),
        new("modprobe", ArgumentKind.Required, 'M'),
        new("table", ArgumentKind.Required, 'T'),
        new("wait", ArgumentKind.Optional, 'w'),
        new("wait-interval", ArgumentKind.Optional, 'W'),
    ];

    private readonly IRulesetStore _store;
    private readonly INameService _names;

    /// <summary>Creates the command over a store.</summary>
    public RestoreCommand(IRulesetStore store, INameService names)
    {
        _store = store;
        _names = names;
    }

    /// <summary>Whether rule lines may take the shortcut (see <see cref="RestoreOptions.Shortcut"/>); tests turn it off.</summary>
    internal bool Shortcut { get; init; } = true;

    /// <summary>
    /// The directory a relative file argument is resolved against (the client's, when the daemon runs the command);
    /// null for the process's own.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Runs <c>iptables-restore</c> with <paramref name="args"/>, reading <paramref name="stdin"/> without a file argument.</summary>
    public int Run(IReadOnlyList<string> args, Stream stdin, ToolOutput output)
    {
        const string program = "iptables-restore";
        var argv = new List<string>(args.Count + 1) { program };
        argv.AddRange(args);
        var options = new RestoreOptions { Shortcut = Shortcut };
        int line = 0;
        try
        {
            var getopt = new GetoptLong(argv, output.Stderr);
            int c;
            bool waitIntervalSet = false;
            while ((c = getopt.Next("bcvVthnwWM:T:", s_options)) != -1)
            {
                switch (c)
                {
                    case 'b':
                        output.Stderr.Write("-b/--binary option is not implemented\n");
                        break;
                    case 'c':
                        options.Counters = true;
                        break;
                    case 'v':
                        options.Verbose++;
                        break;
                    case 'V':
                        output.Stdout.Write("iptables-restore v1.8.9 (legacy)\n");
                        return 0;
                    case 't':
                        options.Test = true;
                        break;
                    case 'h':
                        output.Stderr.Write(
                            "Usage: iptables-restore [-c] [-v] [-V] [-t] [-h] [-n] [-w secs] [-W usecs] [-T table] [-M command] [file]\n" +
                            "\t   [ --counters ]\n\t   [ --verbose ]\n\t   [ --version]\n\t   [ --test ]\n\t   [ --help ]\n" +
                            "\t   [ --noflush ]\n\t   [ --wait=<seconds>\n\t   [ --table=<TABLE> ]\n\t   [ --modprobe=<command> ]\n");
                        return 0;
                    case 'n':
                        options.NoFlush = true;
                        break;
                    case 'w':
                        options.Wait = ParseWait(getopt, argv);
                        break;
                    case 'W':
                        ParseWaitInterval(getopt, argv, output);
                        waitIntervalSet = true;
                        break;
                    case 'M':
                        break;
                    case 'T':
                        options.Table = getopt.OptArg;
                        break;
                    default:
                        output.Stderr.Write("Try `iptables-restore -h' for more information.\n");
                        return 1;
                }
            }

            Stream input;
            if (getopt.OptInd == argv.Count - 1)
            {
                try
                {
                    input = File.OpenRead(ResolvePath(argv[getopt.OptInd]));
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    output.Stderr.Write($"Can't open {argv[getopt.OptInd]}: {Errors.Describe(ex)}\n");
                    return 1;
                }
            }
            else if (getopt.OptInd < argv.Count)
            {
                output.Stderr.Write("Unknown arguments found on commandline\n");
                return 1;
            }
            else
            {
                input = stdin;
            }

            if (waitIntervalSet && options.Wait == 0)
            {
                output.Stderr.Write("Option --wait-interval requires option --wait\n");
                return 1;
            }

            using (input)
            {
                var engine = new RestoreEngine(_store, _names, options, output.Stdout, output.Stderr);
                return engine.Run(new CLineReader(input), ref line);
            }
        }
        catch (XtablesException error)
        {
            return output.Report(error, program, line);
        }
    }

    private string ResolvePath(string path) => WorkingDirectory == null ? path : Path.Combine(WorkingDirectory, path);

    private static int ParseWait(GetoptLong getopt, List<string> argv)
    {
        int wait = -1;
        string? arg = getopt.OptArg;
        if (arg == null && getopt.OptInd < argv.Count && argv[getopt.OptInd].Length > 0 &&
            argv[getopt.OptInd][0] != '-' && argv[getopt.OptInd][0] != '!')
        {
            arg = argv[getopt.OptInd++];
        }

        if (arg != null && !CNumbers.TryScanInt(arg, out wait))
        {
            throw XtablesException.Parameter("wait seconds not numeric");
        }

        return wait;
    }

    private static void ParseWaitInterval(GetoptLong getopt, List<string> argv, ToolOutput output)
    {
        string? arg = getopt.OptArg;
        if (arg == null && getopt.OptInd < argv.Count && argv[getopt.OptInd].Length > 0 &&
            argv[getopt.OptInd][0] != '-' && argv[getopt.OptInd][0] != '!')
        {
            arg = argv[getopt.OptInd++];
        }

        if (arg == null)
        {
            throw XtablesException.Parameter("wait interval value required");
        }

        if (!CNumbers.TryScanUnsigned(arg, out uint usec))
        {
            throw XtablesException.Parameter("wait interval not numeric");
        }

        if (usec > 999999)
        {
            throw XtablesException.Parameter($"too long usec wait {usec} > 999999 usec");
        }

        output.Stderr.Write("Ignoring deprecated --wait-interval option.\n");
    }
}
