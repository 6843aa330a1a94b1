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
    private readonly string _stateDirectory;
    private readonly List<string> _transcript = [];

    /// <summary>Creates a fresh kernel namespace and a fresh Sekisho state directory.</summary>
    public Differential()
    {
        KernelEnvironment.EnsureAvailable();
        _kernel = new KernelNamespace();
        _stateDirectory = Directory.CreateTempSubdirectory("sekisho-diff-").FullName;
        Sekisho = new SekishoTools(new StateDirectory(_stateDirectory, Netfilter.Syntax.LibcNameService.Instance));
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
        var actual = Normalize(Sekisho.Run(words, stdin));
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

    /// <summary>
    /// Runs one command that the kernel refuses with an explanation in its log: besides the usual comparison,
    /// every line Sekisho writes to its kernel log must be among the lines the kernel wrote to dmesg meanwhile,
    /// and Sekisho must write at least one.
    /// </summary>
    /// <remarks>
    /// dmesg is shared with whatever else runs on the machine, so the check is one-way: Sekisho's lines must be
    /// found among the kernel's new ones. Kernel messages are rate-limited (ten per call site in five seconds), so
    /// tests should log each message only a few times.
    /// </remarks>
    public ToolResult StepLogged(string commandLine)
    {
        string sekishoLog = Path.Combine(_stateDirectory, "kernel.log");
        int sekishoBefore = File.Exists(sekishoLog) ? File.ReadAllLines(sekishoLog).Length : 0;
        var dmesgBefore = Dmesg();
        var result = Step(commandLine);
        var dmesgAfter = Dmesg();
        var kernelLines = NewLines(dmesgBefore, dmesgAfter);
        var sekishoLines = File.Exists(sekishoLog) ? File.ReadAllLines(sekishoLog).Skip(sekishoBefore).ToList() : [];
        if (sekishoLines.Count == 0 || sekishoLines.Any(line => !kernelLines.Contains(line)))
        {
            Assert.Fail($"Kernel log differs at: {commandLine}\n=== kernel (new dmesg lines) ===\n{string.Join('\n', kernelLines)}\n" +
                        $"=== sekisho ===\n{string.Join('\n', sekishoLines)}\n");
        }

        return result;
    }

    private static List<string> Dmesg()
    {
        var result = KernelEnvironment.Exec("dmesg", []);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private static List<string> NewLines(List<string> before, List<string> after)
    {
        int start = 0;
        if (before.Count > 0)
        {
            int last = after.LastIndexOf(before[^1]);
            start = last >= 0 ? last + 1 : 0;
        }

        // "[ 1234.567890] text": drop the time stamp.
        return after.Skip(start).Select(line => DmesgStamp().Replace(line, string.Empty)).ToList();
    }

    [GeneratedRegex(@"^\[\s*\d+\.\d+\]\s")]
    private static partial Regex DmesgStamp();

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
        _kernel.Dispose();
        try
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static ToolResult Normalize(ToolResult result) => result with
    {
        Stdout = SaveStamp().Replace(result.Stdout, "$1<time>"),
    };

    [GeneratedRegex(@"^(# (?:Generated by iptables-save v1\.8\.9|Completed) on ).*$", RegexOptions.Multiline)]
    private static partial Regex SaveStamp();
}
