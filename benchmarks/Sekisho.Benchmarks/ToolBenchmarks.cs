using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace Sekisho.Benchmarks;

/// <summary>
/// The iptables tools as whole commands, Sekisho against iptables-legacy on the kernel, on a 100,000-rule
/// filter table: iptables-restore, iptables-save, and one -A plus one -D.
/// </summary>
/// <remarks>
/// Each invocation starts a process, as a user's shell does; both sides run through <c>ip netns exec</c> in a
/// private namespace, so the kernel's tables are the namespace's own and the overhead is the same on both.
/// Needs root, iproute2 and iptables, and Sekisho built by <c>./sekisho</c> (the benchmark's setup builds it).
/// Peak memory of one run of each command is written to <c>tool-memory.txt</c> next to the results.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[MedianColumn]
public class ToolBenchmarks
{
    private const int Rules = 100_000;
    private string _namespace = string.Empty;
    private string _ruleset = string.Empty;
    private string _state = string.Empty;
    private string _sekisho = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        string root = Repository.Root;
        Run("bash", [Path.Combine(root, "sekisho"), "version"]);
        _sekisho = Path.Combine(root, ".build", "sekisho", "sekisho");
        _namespace = $"skbench{Environment.ProcessId}";
        Run("ip", ["netns", "add", _namespace]);
        _ruleset = Path.Combine(Path.GetTempPath(), $"sekisho-bench-{Environment.ProcessId}.rules");
        File.WriteAllText(_ruleset, RulesetFiles.Filter(Rules));
        _state = Directory.CreateTempSubdirectory("sekisho-bench-").FullName;

        // Both sides hold the ruleset before the save and -A/-D benchmarks run.
        KernelRestore();
        SekishoRestore();
        WriteMemoryReport();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Run("ip", ["netns", "del", _namespace]);
        File.Delete(_ruleset);
        Directory.Delete(_state, recursive: true);
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("restore")]
    public void KernelRestore() => InNamespace(["iptables-legacy-restore"], _ruleset);

    [Benchmark]
    [BenchmarkCategory("restore")]
    public void SekishoRestore() => InNamespace([_sekisho, "iptables-restore"], _ruleset);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("save")]
    public void KernelSave() => InNamespace(["iptables-legacy-save"], null);

    [Benchmark]
    [BenchmarkCategory("save")]
    public void SekishoSave() => InNamespace([_sekisho, "iptables-save"], null);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("append-delete")]
    public void KernelAppendDelete()
    {
        InNamespace(["iptables-legacy", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP"], null);
        InNamespace(["iptables-legacy", "-D", "INPUT", "-s", "192.0.2.1", "-j", "DROP"], null);
    }

    [Benchmark]
    [BenchmarkCategory("append-delete")]
    public void SekishoAppendDelete()
    {
        InNamespace([_sekisho, "iptables", "-A", "INPUT", "-s", "192.0.2.1", "-j", "DROP"], null);
        InNamespace([_sekisho, "iptables", "-D", "INPUT", "-s", "192.0.2.1", "-j", "DROP"], null);
    }

    private void WriteMemoryReport()
    {
        var lines = new List<string> { $"Peak resident memory, {Rules} rules (KB, from /usr/bin/time %M):" };
        foreach (var (name, command, input) in new (string, string[], string?)[]
                 {
                     ("iptables-legacy-restore", ["iptables-legacy-restore"], _ruleset),
                     ("sekisho iptables-restore", [_sekisho, "iptables-restore"], _ruleset),
                     ("iptables-legacy-save", ["iptables-legacy-save"], null),
                     ("sekisho iptables-save", [_sekisho, "iptables-save"], null),
                 })
        {
            string report = Path.GetTempFileName();
            InNamespace(["/usr/bin/time", "-f", "%M", "-o", report, .. command], input);
            lines.Add($"{name}: {File.ReadAllText(report).Trim()}");
            File.Delete(report);
        }

        string path = Path.Combine(Repository.Root, "BenchmarkDotNet.Artifacts", "tool-memory.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllLines(path, lines);
    }

    private void InNamespace(string[] command, string? stdinFile)
    {
        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = stdinFile != null,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "netns", "exec", _namespace }.Concat(command))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SEKISHO_STATE_DIR"] = _state;
        using var process = Process.Start(info)!;
        if (stdinFile != null)
        {
            using (var input = File.OpenRead(stdinFile))
            {
                input.CopyTo(process.StandardInput.BaseStream);
            }

            process.StandardInput.Close();
        }

        process.StandardOutput.BaseStream.CopyTo(Stream.Null);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited with {process.ExitCode}");
        }
    }

    private static void Run(string program, string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardOutput.ReadToEnd();
        process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}");
        }
    }
}
