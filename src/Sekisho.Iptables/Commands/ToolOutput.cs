using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>Standard output and error of a tool run, and how errors are printed.</summary>
public sealed class ToolOutput
{
    /// <summary>Creates an output pair.</summary>
    public ToolOutput(TextWriter stdout, TextWriter stderr)
    {
        Stdout = stdout;
        Stderr = stderr;
    }

    /// <summary>Standard output.</summary>
    public TextWriter Stdout { get; }

    /// <summary>Standard error.</summary>
    public TextWriter Stderr { get; }

    /// <summary>
    /// Prints an error as iptables does and returns the exit status: "prog v1.8.9 (legacy): message", then for
    /// parameter problems the line of a restore file and the help hint.
    /// </summary>
    public int Report(XtablesException error, string programName, int line = -1)
    {
        switch (error.Style)
        {
            case XtablesErrorStyle.Xtables:
                Stderr.Write($"{programName} v1.8.9 (legacy): {error.Message}\n");
                if (error.Status == ExitStatus.ParameterProblem)
                {
                    TryHelp(programName, line);
                }
                else if (error.Status == ExitStatus.VersionProblem)
                {
                    Stderr.Write($"Perhaps {programName} or your kernel needs to be upgraded.\n");
                }

                break;
            case XtablesErrorStyle.RawWithHelp:
                Stderr.Write(error.Message);
                TryHelp(programName, line);
                break;
            default:
                Stderr.Write(error.Message);
                break;
        }

        return (int)error.Status;
    }

    private void TryHelp(string programName, int line)
    {
        if (line != -1)
        {
            Stderr.Write($"Error occurred at line: {line}\n");
        }

        Stderr.Write($"Try `{programName} -h' or '{programName} --help' for more information.\n");
    }
}
