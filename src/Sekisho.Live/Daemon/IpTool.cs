using System.Diagnostics;

namespace Sekisho.Live.Daemon;

/// <summary>Runs iproute2's <c>ip</c>: moving interfaces between namespaces and copying their configuration.</summary>
/// <remarks>
/// Configuration changes are rare and not on the packet path; <c>ip</c> speaks rtnetlink for the daemon, and its
/// <c>-j</c> output is a stable interface to read from.
/// </remarks>
internal static class IpTool
{
    /// <summary>Runs <c>ip ARGS</c>; exit status, standard output and standard error.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new IOException("cannot run ip");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Runs <c>ip ARGS</c> and throws with its message when it fails.</summary>
    public static string Check(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        if (code != 0)
        {
            throw new IOException($"ip {string.Join(' ', args)}: {stderr.Trim()}");
        }

        return stdout;
    }

    /// <summary>The <c>ip</c> executable.</summary>
    public static string Executable { get; } = Find();

    private static string Find()
    {
        foreach (string candidate in new[] { "/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "ip";
    }
}
