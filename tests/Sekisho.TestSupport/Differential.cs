using Xunit;
using System.Text;
using System.Text.RegularExpressions;
using Sekisho.Iptables.State;

namespace Sekisho.TestSupport;

/// <summary>Runs the same iptables commands on the kernel (in a private namespace) and on Sekisho, step by step.</summary>
/// <remarks>
/// Every step's exit status, standard output and standard error must be identical, byte for byte, except for
/// the time stamps of iptables-save's comment lines. Sekisho runs against a fresh state directory.
/// </remarks>
public sealed partial class Differential : IDisposable
{
    private readonly KernelNamespace _kernel;
    private readonly NamespaceThread _sekishoThread;
    private readonly string _stateDirectory;
    private readonly List<string> _transcript = [];

    /// <summary>Creates a fresh kernel namespace and a fresh Sekisho state directory.</summary>
    public Differential()
    {
        KernelEnvironment.EnsureAvailable();
        _kernel = new KernelNamespace();
        _stateDirectory = Directory.CreateTempSubdirectory("sekisho-diff-").FullName;

        // Sekisho runs in the kernel side's namespace (same DNS conditions) with its own lookup cache.
        _sekishoThread = new NamespaceThread(_kernel.Name);
        var names = new Netfilter.Syntax.LibcNameService();
        Sekisho = new SekishoTools(_stateDirectory, names);
    }

    /// <summary>Sekisho's side.</summary>
    public SekishoTools Sekisho { get; }

    /// <summary>The kernel's side.</summary>
    public KernelNamespace Kernel => _kernel;

    /// <summary>Runs one command on both and asserts identical results; returns the kernel's result.</summary>
    public ToolResult Step(string commandLine, string? stdin = null)
    {
        var words = ShellWords.Split(commandLine);
        var expected = Normalize(_kernel.RunIptables(words, stdin));
        var actual = Normalize(_sekishoThread.Invoke(() => Sekisho.Run(words, stdin)));
        _transcript.Add($"$ {commandLine}");
        if (expected != actual)
        {
            var message = new StringBuilder();
            message.Append("Sekisho differs from the kernel at: ").Append(commandLine).Append('\n');
            if (stdin != null)
            {
                message.Append("--- stdin ---\n").Append(stdin);
            }

            message.Append("=== kernel ===\n").Append(expected).Append("=== sekisho ===\n").Append(actual);
            message.Append("=== steps so far ===\n").AppendJoin('\n', _transcript);
            Assert.Fail(message.ToString());
        }

        return expected;
    }

    /// <summary>Runs several commands, one per line (blank lines and # comments ignored).</summary>
    public void Steps(string script)
    {
        foreach (string line in script.Split('\n'))
        {
            string trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
            {
                continue;
            }

            Step(trimmed);
        }
    }

    /// <summary>
    /// Runs one step like <see cref="Step"/>, then compares the kernel log lines it caused: Sekisho's new lines
    /// (its <c>kernel.log</c>) must be exactly the new <c>dmesg</c> lines that contain <paramref name="logFilter"/>,
    /// or, without a filter, must all be among the new <c>dmesg</c> lines.
    /// </summary>
    /// <remarks>
    /// dmesg is shared by the whole machine, so only lines containing the filter (say "DNAT target") are taken
    /// from it; tests using this run alone (<c>KernelLogCollection</c>). The kernel rate-limits these messages (ten per five seconds per call site); when a refused
    /// command's line is missing, the command is repeated on the kernel alone (a refusal changes nothing) until
    /// the line shows or the attempts run out.
    /// </remarks>
    public ToolResult StepKernelLog(string commandLine, string? logFilter = null, string? stdin = null)
    {
        string logPath = Path.Combine(_stateDirectory, "kernel.log");
        string[] ReadSekishoLog() => File.Exists(logPath) ? File.ReadAllLines(logPath) : [];

        double since = LastKernelTimestamp();
        int before = ReadSekishoLog().Length;
        var result = Step(commandLine, stdin);
        string[] expected = ReadSekishoLog()[before..];
        for (int attempt = 0; ; attempt++)
        {
            // With a filter, the kernel's matching lines must be exactly Sekisho's; without one (the kernel log is
            // shared with the rest of the machine), each of Sekisho's lines must be among the kernel's new lines.
            var actual = KernelLogSince(since, logFilter);
            bool same = logFilter != null
                ? actual.SequenceEqual(expected)
                : expected.Length > 0 && expected.All(actual.Contains);
            if (same)
            {
                return result;
            }

            if (attempt >= 7 || result.ExitCode == 0 || (logFilter != null && actual.Count >= expected.Length))
            {
                Assert.Fail(
                    $"Kernel log differs at: {commandLine}\n=== dmesg ({logFilter}) ===\n{string.Join('\n', actual)}\n" +
                    $"=== sekisho ===\n{string.Join('\n', expected)}\n=== steps so far ===\n{string.Join('\n', _transcript)}");
            }

            Thread.Sleep(1000);
            since = LastKernelTimestamp();
            _kernel.RunIptables(ShellWords.Split(commandLine), stdin);
        }
    }

    /// <summary>
    /// Compares every listing form: -L in all combinations of -v, -n, -x, --line-numbers; -S, -S -v; save and
    /// save -c; for each table given.
    /// </summary>
    public void CompareListings(params string[] tables)
    {
        if (tables.Length == 0)
        {
            tables = ["filter"];
        }

        foreach (string table in tables)
        {
            foreach (string v in new[] { "", " -v" })
            {
                foreach (string n in new[] { "", " -n" })
                {
                    foreach (string x in new[] { "", " -x" })
                    {
                        foreach (string line in new[] { "", " --line-numbers" })
                        {
                            Step($"iptables -t {table} -L{v}{n}{x}{line}");
                        }
                    }
                }
            }

            Step($"iptables -t {table} -S");
            Step($"iptables -t {table} -S -v");
            Step($"iptables-save -t {table}");
            Step($"iptables-save -c -t {table}");
        }

        Step("iptables-save");
        Step("iptables-save -c");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _sekishoThread.Dispose();
        _kernel.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static double LastKernelTimestamp()
    {
        double last = 0;
        foreach (var (time, _) in ReadDmesg())
        {
            last = time;
        }

        return last;
    }

    private static List<string> KernelLogSince(double since, string? filter)
    {
        var lines = new List<string>();
        foreach (var (time, message) in ReadDmesg())
        {
            if (time > since && (filter == null || message.Contains(filter, StringComparison.Ordinal)))
            {
                lines.Add(message);
            }
        }

        return lines;
    }

    private static IEnumerable<(double Time, string Message)> ReadDmesg()
    {
        var result = KernelEnvironment.Exec("dmesg", []);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"dmesg failed: {result.Stderr.Trim()}");
        }

        foreach (string line in result.Stdout.Split('\n'))
        {
            int close = line.IndexOf("] ", StringComparison.Ordinal);
            if (line.StartsWith('[') && close > 0 &&
                double.TryParse(line.AsSpan(1, close - 1), System.Globalization.NumberStyles.Float,
                    System.Globalization.CultureInfo.InvariantCulture, out double time))
            {
                yield return (time, line[(close + 2)..]);
            }
        }
    }

    private static ToolResult Normalize(ToolResult result) => result with
    {
        Stdout = SaveStamp().Replace(result.Stdout, "$1<time>"),
    };

    [GeneratedRegex(@"^(# (?:Generated by iptables-save v1\.8\.9|Completed) on ).*$", RegexOptions.Multiline)]
    private static partial Regex SaveStamp();
}
