using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>
/// The executable <c>./sekisho</c> builds (native, ahead of time, where a C compiler is present) against the same
/// code run in-process by the test host: the same exit codes, outputs, errors and state files, byte for byte.
/// </summary>
/// <remarks>
/// Every other test runs the code just-in-time compiled; these make sure the ahead-of-time build, which users and
/// the benchmarks run, behaves the same (trimming, marshalling, formatting).
/// </remarks>
public sealed class NativeBinaryTests : IDisposable
{
    private readonly string _native = Directory.CreateTempSubdirectory("sekisho-native-").FullName;
    private readonly string _managed = Directory.CreateTempSubdirectory("sekisho-managed-").FullName;
    private readonly string _run = Directory.CreateTempSubdirectory("sekisho-native-run-").FullName;

    public void Dispose()
    {
        Directory.Delete(_native, recursive: true);
        Directory.Delete(_managed, recursive: true);
        Directory.Delete(_run, recursive: true);
    }

    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    [Fact]
    public void Launcher_WithACompiler_BuildsNative()
    {
        bool compiler = KernelEnvironment.FindOnPath("clang") != null || KernelEnvironment.FindOnPath("gcc") != null;
        bool forced = Environment.GetEnvironmentVariable("SEKISHO_BUILD") == "readytorun";
        Assert.Equal(compiler && !forced ? "native" : "readytorun", LauncherBuild.Kind);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void RandomRuleset_RestoreSaveListEdit_SameAsInProcess(int seed)
    {
        var generator = new RandomRuleset(seed);
        string first = generator.FilterTable(rules: 1_500, userChains: 8, counters: true);
        string second = generator.FilterTable(rules: 1_500, userChains: 8, counters: true);
        (string Command, string? Stdin)[] script =
        [
            ("iptables-restore -c", first),
            ("iptables-save -c", null),
            ("iptables-save", null),
            ("iptables -L -n -v -x --line-numbers", null),
            ("iptables -L chain-005 -n", null),
            ("iptables -S chain-003", null),
            ("iptables-restore -t", second),
            ("iptables-restore -c -n", "*nat\n:PREROUTING ACCEPT [3:180]\n-A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80\nCOMMIT\n"),
            ("iptables-restore", second),
            ("iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT", null),
            ("iptables -I chain-001 2 -m state --state NEW -j LOG --log-prefix [new]", null),
            ("iptables -D INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT", null),
            ("iptables -D INPUT 100000", null),
            ("iptables -A no-such-chain -j ACCEPT", null),
            ("iptables -A INPUT --bogus", null),
            ("iptables -Z -L -v -n", null),
            ("iptables-save -c -t nat", null),
        ];
        foreach (var (command, stdin) in script)
        {
            AssertSame(command, stdin);
        }
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void BadLineAtRandomPosition_SameErrorAndStateFileUntouched(int seed)
    {
        var generator = new RandomRuleset(seed);
        AssertSame("iptables-restore -c", generator.FilterTable(rules: 1_000, userChains: 8, counters: true));
        byte[] before = File.ReadAllBytes(Path.Combine(_native, "ruleset"));

        string[] lines = generator.FilterTable(rules: 3_000, userChains: 20, counters: false).Split('\n');
        int position = generator.Random.Next(6 + 20, lines.Length - 2);
        lines[position] = generator.Random.Next(3) switch
        {
            0 => "-A INPUT -p tcp --dport 65536 -j ACCEPT",
            1 => "-A INPUT --no-such-option",
            _ => "-A no-such-chain -j ACCEPT",
        };

        var failed = AssertSame("iptables-restore", string.Join('\n', lines));
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains($"line: {position + 1}", failed.Stderr + failed.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_native, "ruleset")));
    }

    [Fact]
    public void DamagedOrHandEditedStateFile_SameReportsAndFileLeftAsItIs()
    {
        AssertSame("iptables-restore -c", new RandomRuleset(7).FilterTable(rules: 200, userChains: 3, counters: true));
        string path = Path.Combine(_native, "ruleset");
        string text = File.ReadAllText(path);

        // Edited by hand (the checksum no longer holds): read through the general parser.
        string edited = text.Replace("COMMIT\n", "-A INPUT -s 192.0.2.7/32 -j DROP\nCOMMIT\n", StringComparison.Ordinal);
        foreach (string command in new[] { "iptables-save -c", "iptables -L INPUT -n --line-numbers", "iptables -D INPUT -s 192.0.2.7 -j DROP" })
        {
            File.WriteAllText(path, edited);
            File.WriteAllText(Path.Combine(_managed, "ruleset"), edited);
            AssertSame(command, null);
        }

        // Damaged: reported as in-process, with a failing exit code, and never replaced.
        string damaged = text.Replace("-A ", "-Q ", StringComparison.Ordinal);
        foreach (string command in new[] { "iptables-save", "iptables -A INPUT -j ACCEPT", "iptables-restore" })
        {
            File.WriteAllText(path, damaged);
            File.WriteAllText(Path.Combine(_managed, "ruleset"), damaged);
            var result = AssertSame(command, "*filter\nCOMMIT\n");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("is damaged", result.Stderr, StringComparison.Ordinal);
            Assert.Equal(damaged, File.ReadAllText(path));
        }
    }

    [Fact]
    public void BusyLock_SameRefusalsAndNothingChanged()
    {
        AssertSame("iptables-restore", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n");
        byte[] before = File.ReadAllBytes(Path.Combine(_native, "ruleset"));
        using (XtablesLock.Acquire(Path.Combine(_native, "xtables.lock"), 0))
        using (XtablesLock.Acquire(Path.Combine(_managed, "xtables.lock"), 0))
        {
            foreach (string command in new[] { "iptables -A INPUT -j DROP", "iptables -w 1 -D INPUT 1", "iptables-restore" })
            {
                var result = AssertSame(command, "*filter\nCOMMIT\n");
                Assert.Equal(4, result.ExitCode);
                Assert.Contains("Another app is currently holding the xtables lock", result.Stderr, StringComparison.Ordinal);
            }
        }

        Assert.Equal(before, File.ReadAllBytes(Path.Combine(_native, "ruleset")));
        AssertSame("iptables -A INPUT -j DROP", null);
    }

    /// <summary>Runs a command through the built executable and in-process; asserts both agree; returns the executable's result.</summary>
    private ToolResult AssertSame(string command, string? stdin)
    {
        var words = ShellWords.Split(command);
        var native = Normalize(KernelEnvironment.Exec("env",
            [$"SEKISHO_STATE_DIR={_native}", $"SEKISHO_RUN_DIR={_run}", LauncherBuild.Binary, .. words], stdin), _native);
        var managed = Normalize(new SekishoTools(_managed, LibcNameService.Instance).Run(words, stdin), _managed);
        Assert.True(managed == native, $"{command}\n=== in-process ===\n{managed}=== executable ===\n{native}");
        byte[] nativeState = File.ReadAllBytes(Path.Combine(_native, "ruleset"));
        Assert.True(nativeState.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(_managed, "ruleset"))),
            $"{command}: the state files differ");
        return native;
    }

    private static ToolResult Normalize(ToolResult result, string state) => result with
    {
        Stdout = string.Join('\n', result.Stdout.Split('\n').Select(l => l.StartsWith("# ") ? "# <comment>" : l)),
        Stderr = result.Stderr.Replace(state, "<state>", StringComparison.Ordinal),
    };
}
