using Sekisho.TestSupport;
using Xunit.Abstractions;

namespace Sekisho.Iptables.Tests.Conformance;

/// <summary>iptables' own extension test cases (../shared/conformance/xt/*.t), run against Sekisho.</summary>
/// <remarks>
/// As iptables-test.py runs them: for each chain, <c>iptables -t table -A chain rule</c>; an OK case must succeed
/// and iptables-save must then contain <c>-A chain saved-form</c>, after which <c>-D</c> removes it again; a FAIL
/// case must exit non-zero and leave the ruleset exactly as it was.
/// </remarks>
public sealed class ConformanceTests
{
    private readonly ITestOutputHelper _output;

    public ConformanceTests(ITestOutputHelper output)
    {
        _output = output;
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        string? directory = ConformanceDirectory;
        if (directory == null)
        {
            data.Add("(shared data not present)");
            return data;
        }

        foreach (string file in Directory.GetFiles(directory, "*.t").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    private static string? ConformanceDirectory =>
        SharedData.SharedDirectory is { } shared && Directory.Exists(Path.Combine(shared, "conformance", "xt"))
            ? Path.Combine(shared, "conformance", "xt")
            : null;

    [Theory]
    [MemberData(nameof(Files))]
    public void ConformanceFile_AllCases_BehaveAsSpecified(string file)
    {
        if (ConformanceDirectory is not { } directory)
        {
            _output.WriteLine("../shared/conformance/xt is not present; nothing to run.");
            return;
        }

        var failures = new List<string>();
        int cases = 0;
        string state = Directory.CreateTempSubdirectory("sekisho-conformance-").FullName;
        foreach (var test in ConformanceCase.Read(Path.Combine(directory, file)))
        {
            cases++;

            // A state directory reopened for every command, as separate processes would: each accepted rule also
            // makes the round trip through the state file.
            foreach (string stale in Directory.GetFiles(state))
            {
                File.Delete(stale);
            }

            var tools = new SekishoTools(state, new Netfilter.Syntax.LibcNameService());
            foreach (string chain in test.Chains)
            {
                string? failure = RunCase(tools, test, chain);
                if (failure != null)
                {
                    failures.Add($"{test} [{chain}]: {failure}");
                    break;
                }
            }
        }

        Directory.Delete(state, recursive: true);
        _output.WriteLine($"{file}: {cases - failures.Count}/{cases} cases pass");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases fail:\n" + string.Join('\n', failures));
    }

    private static string? RunCase(SekishoTools tools, ConformanceCase test, string chain)
    {
        // Instantiate the table first: the kernel creates it on first use even when the command then fails.
        tools.Run($"iptables -t {test.Table} -S");
        string before = tools.Run("iptables-save -c").Stdout;
        var add = tools.Run($"iptables -t {test.Table} -A {chain} {test.Rule}");
        if (!test.ExpectOk)
        {
            if (add.ExitCode == 0)
            {
                tools.Run($"iptables -t {test.Table} -D {chain} {test.Rule}");
                return "accepted, but must fail";
            }

            string after = tools.Run("iptables-save -c").Stdout;
            return StripStamps(after) == StripStamps(before) ? null : "failed, but changed the ruleset";
        }

        if (add.ExitCode != 0)
        {
            return $"refused: {add.Stderr.Trim()}";
        }

        string saved = tools.Run($"iptables-save -t {test.Table}").Stdout;
        string expected = $"-A {chain} {test.Saved}";
        if (!saved.Contains(expected, StringComparison.Ordinal))
        {
            string actual = saved.Split('\n').FirstOrDefault(l => l.StartsWith($"-A {chain} ", StringComparison.Ordinal)) ?? "(nothing)";
            return $"saved as `{actual}`, expected `{expected}`";
        }

        // iptables-test.py counts only exit status 1 as a failed delete (a rule with -c cannot be deleted with
        // -c, which is a parameter problem, status 2).
        var delete = tools.Run($"iptables -t {test.Table} -D {chain} {test.Rule}");
        if (delete.ExitCode == 1)
        {
            return $"cannot delete: {delete.Stderr.Trim()}";
        }

        return null;
    }

    private static string StripStamps(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));
}
