using System.Diagnostics;
using Sekisho.Live.Control;

namespace Sekisho.Cli.Service;

/// <summary>Starts and stops the daemon: through systemd when its unit is installed and systemd runs, else directly.</summary>
internal sealed class DaemonLauncher
{
    /// <summary>The systemd unit's name.</summary>
    public const string Unit = "sekisho.service";

    private static readonly string[] s_unitDirectories = ["/etc/systemd/system", "/run/systemd/system", "/usr/lib/systemd/system", "/lib/systemd/system"];

    /// <summary>How long start and stop wait for the daemon (<c>$SEKISHO_SERVICE_TIMEOUT</c> seconds, default 30).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("SEKISHO_SERVICE_TIMEOUT"), out int seconds) && seconds > 0 ? seconds : 30);

    /// <summary>The command line that runs <c>sekisho</c> itself (the executable, and the assembly under <c>dotnet</c>).</summary>
    public IReadOnlyList<string> Sekisho { get; init; } = SelfCommand();

    /// <summary>
    /// Whether systemd manages the service: systemd is the init system (<c>/run/systemd/system</c>), the unit is
    /// installed, and no run directory was chosen by hand (tests and private daemons are started directly).
    /// </summary>
    public static bool UnderSystemd() =>
        !ControlPaths.RunDirectoryConfigured() && Directory.Exists("/run/systemd/system") &&
        s_unitDirectories.Any(d => File.Exists(Path.Combine(d, Unit)));

    /// <summary>Runs <c>systemctl ACTION sekisho.service</c>; returns its exit status and what it printed.</summary>
    public static (int Code, string Output) Systemctl(string action)
    {
        var info = new ProcessStartInfo("systemctl") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(action);
        info.ArgumentList.Add(Unit);
        using var process = Process.Start(info)!;
        string stdout = process.StandardOutput.ReadToEnd();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr);
    }

    /// <summary>
    /// Spawns <paramref name="arguments"/> (after <see cref="Sekisho"/>) in a session of its own, detached from this
    /// terminal, its output appended to <paramref name="logFile"/>; returns its process id.
    /// </summary>
    public int Spawn(IReadOnlyList<string> arguments, string logFile)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add("log=$1; shift; setsid \"$@\" </dev/null >>\"$log\" 2>&1 & echo $!");
        info.ArgumentList.Add("sh");
        info.ArgumentList.Add(logFile);
        foreach (string word in Sekisho.Concat(arguments))
        {
            info.ArgumentList.Add(word);
        }

        using var shell = Process.Start(info)!;
        string pid = shell.StandardOutput.ReadToEnd().Trim();
        shell.WaitForExit();
        return int.Parse(pid, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a process still runs (and is not a zombie).</summary>
    public static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            int close = stat.LastIndexOf(')');
            return close > 0 && close + 2 < stat.Length && stat[close + 2] != 'Z';
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <see cref="Timeout"/> passes.</summary>
    public bool WaitFor(Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.Elapsed >= Timeout)
            {
                return false;
            }

            Thread.Sleep(50);
        }

        return true;
    }

    private static string[] SelfCommand()
    {
        string process = Environment.ProcessPath ?? "sekisho";
        // Under `dotnet sekisho.dll` the process is dotnet: the assembly must follow.
        return Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? [process, Path.Combine(AppContext.BaseDirectory, typeof(DaemonLauncher).Assembly.GetName().Name + ".dll")]
            : [process];
    }
}
