using Xunit;
using System.Diagnostics;

namespace Sekisho.TestSupport;

/// <summary>Whether the real kernel can serve as the oracle here: root, network namespaces, iptables-legacy.</summary>
/// <remarks>
/// Where it cannot (a laptop without root), kernel tests skip with the reason. With
/// <c>SEKISHO_REQUIRE_KERNEL=1</c> (set by <c>.ci/run</c>) they run regardless and fail loudly instead.
/// </remarks>
public static class KernelEnvironment
{
    private static readonly Lazy<string?> s_unavailableReason = new(Probe);

    /// <summary>Why the kernel oracle is unavailable, or null when it is available.</summary>
    public static string? UnavailableReason => s_unavailableReason.Value;

    /// <summary>Whether missing prerequisites must fail rather than skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("SEKISHO_REQUIRE_KERNEL") == "1";

    /// <summary>The skip reason for a kernel test: null when it must run.</summary>
    public static string? SkipReason => Required ? null : UnavailableReason;

    /// <summary>Fails the test with the reason when the oracle is unavailable (used when skipping is not allowed).</summary>
    public static void EnsureAvailable()
    {
        if (UnavailableReason is { } reason)
        {
            throw new InvalidOperationException(
                $"The kernel oracle is required (SEKISHO_REQUIRE_KERNEL=1) but unavailable: {reason}");
        }
    }

    private static string? Probe()
    {
        if (Environment.UserName != "root")
        {
            return "kernel comparisons need root (network namespaces and iptables-legacy)";
        }

        foreach (string tool in new[] { "ip", "iptables-legacy", "iptables-legacy-save", "iptables-legacy-restore" })
        {
            if (FindOnPath(tool) == null)
            {
                return $"kernel comparisons need `{tool}` (apt-get install -y iptables iproute2)";
            }
        }

        try
        {
            using var ns = new KernelNamespace();
            var result = ns.Run(["iptables-legacy", "-L", "-n"]);
            if (result.ExitCode != 0)
            {
                return $"iptables-legacy does not work in a network namespace: {result.Stderr.Trim()}";
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return $"cannot create a network namespace: {ex.Message}";
        }

        return null;
    }

    /// <summary>The full path of an executable on PATH (plus the sbin directories), or null.</summary>
    public static string? FindOnPath(string name)
    {
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':')
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        foreach (string directory in directories)
        {
            if (directory.Length == 0)
            {
                continue;
            }

            string candidate = Path.Combine(directory, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Runs a program and captures its output.</summary>
    public static ToolResult Exec(string program, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        string? pathPrefix = null)
    {
        var info = new ProcessStartInfo(FindOnPath(program) ?? program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LC_ALL"] = "C";
        if (pathPrefix != null)
        {
            info.Environment["PATH"] = pathPrefix + ":" + Environment.GetEnvironmentVariable("PATH");
        }
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdoutTask = process.StandardOutput.ReadToEndAsync();
        var stderrTask = process.StandardError.ReadToEndAsync();
        var stdinTask = Task.Run(() =>
        {
            // A tool that stops at an error stops reading: a broken pipe here is part of its behaviour.
            try
            {
                if (stdin != null)
                {
                    process.StandardInput.Write(stdin);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
            }
        });
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }

        stdinTask.Wait();
        return new ToolResult(process.ExitCode, stdoutTask.Result, stderrTask.Result);
    }
}
