using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// <c>sekisho daemon</c> as a child process inside a namespace (entered with <c>nsenter --net</c>, which keeps the
/// mount namespace), with its own run and state directories; ready when it sends <c>READY=1</c> to the test's
/// <c>$NOTIFY_SOCKET</c>. Dispose kills it if still running, runs <c>--cleanup</c>, and removes what it left.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly Socket _notify;
    private readonly StringBuilder _stderr = new();
    private readonly string _notifyPath;
    private readonly string _namespace;
    private bool _disposed;

    private DaemonProcess(string ns, Process process, Socket notify, string notifyPath, string runDirectory, string stateDirectory)
    {
        _namespace = ns;
        _process = process;
        _notify = notify;
        _notifyPath = notifyPath;
        RunDirectory = runDirectory;
        StateDirectory = stateDirectory;
    }

    /// <summary>The daemon's run directory.</summary>
    public string RunDirectory { get; }

    /// <summary>The daemon's state directory (messages file, the ruleset it leaves at stop).</summary>
    public string StateDirectory { get; }

    /// <summary>What the daemon wrote on standard error so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Waits until the daemon has written <paramref name="text"/> on standard error; false when the deadline passes
    /// first. Standard error is read asynchronously, so a line the daemon wrote before <c>READY=1</c> may reach
    /// <see cref="Stderr"/> only after the notification.
    /// </summary>
    public bool WroteOnStderr(string text, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        lock (_stderr)
        {
            while (!_stderr.ToString().Contains(text, StringComparison.Ordinal))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_stderr, left);
            }

            return true;
        }
    }

    /// <summary>
    /// The sekisho executable users run: the one <c>./sekisho</c> builds (native where a C compiler is present), so
    /// the daemon is tested as it is deployed.
    /// </summary>
    public static string Executable => LauncherBuild.Binary;

    /// <summary>
    /// Starts <c>sekisho daemon ARGS</c> in <paramref name="ns"/> and waits for readiness (or its exit).
    /// <paramref name="runDirectory"/> and <paramref name="stateDirectory"/> default to fresh temporary directories.
    /// </summary>
    public static DaemonProcess Start(string ns, IEnumerable<string> args, string? runDirectory = null, string? stateDirectory = null)
    {
        runDirectory ??= Directory.CreateTempSubdirectory("sekisho-run-").FullName;
        stateDirectory ??= Directory.CreateTempSubdirectory("sekisho-state-").FullName;
        string notifyPath = Path.Combine(Path.GetTempPath(), $"sekisho-notify-{Guid.NewGuid():N}");
        var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        notify.Bind(new UnixDomainSocketEndPoint(notifyPath));
        var info = new ProcessStartInfo(KernelEnvironment.FindOnPath("nsenter") ?? "nsenter")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add($"--net=/run/netns/{ns}");
        info.ArgumentList.Add(Executable);
        info.ArgumentList.Add("daemon");
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["SEKISHO_RUN_DIR"] = runDirectory;
        info.Environment["SEKISHO_STATE_DIR"] = stateDirectory;
        info.Environment["NOTIFY_SOCKET"] = notifyPath;
        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start the daemon");
        var daemon = new DaemonProcess(ns, process, notify, notifyPath, runDirectory, stateDirectory);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (daemon._stderr)
                {
                    daemon._stderr.Append(e.Data).Append('\n');
                    Monitor.PulseAll(daemon._stderr);
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return daemon;
    }

    /// <summary>Waits for <c>READY=1</c>; false when the daemon exited first or the deadline passed.</summary>
    public bool WaitReady(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        var buffer = new byte[4096];
        _notify.ReceiveTimeout = 200;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                int n = _notify.Receive(buffer);
                if (Encoding.UTF8.GetString(buffer, 0, n).Split('\n').Contains("READY=1"))
                {
                    return true;
                }
            }
            catch (SocketException)
            {
                if (_process.HasExited)
                {
                    return false;
                }
            }
        }

        return false;
    }

    /// <summary>Sends SIGTERM and waits for the exit; the exit status.</summary>
    public int Stop()
    {
        KernelEnvironment.Exec("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"the daemon did not stop on SIGTERM\n{Stderr}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Kills the daemon with SIGKILL, as a crash would end it.</summary>
    public void Crash()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>Waits for the daemon to exit by itself; its exit status.</summary>
    public int WaitExit()
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            throw new TimeoutException("the daemon did not exit");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Runs <c>sekisho daemon --cleanup</c> in the daemon's namespace, with its run directory.</summary>
    public ToolResult Cleanup() => Cleanup(_namespace, RunDirectory);

    /// <summary>Runs <c>sekisho daemon --cleanup</c> in a namespace with a run directory.</summary>
    public static ToolResult Cleanup(string ns, string runDirectory) =>
        KernelEnvironment.Exec("env", [$"SEKISHO_RUN_DIR={runDirectory}", "nsenter", $"--net=/run/netns/{ns}", Executable, "daemon", "--cleanup"]);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        // Whatever the fail mode, the test leaves nothing behind.
        string record = Path.Combine(RunDirectory, "interposition");
        if (File.Exists(record))
        {
            File.WriteAllText(record, File.ReadAllText(record).Replace("fail closed", "fail open", StringComparison.Ordinal));
            Cleanup();
        }

        _process.Dispose();
        _notify.Dispose();
        File.Delete(_notifyPath);
        Directory.Delete(RunDirectory, recursive: true);
        Directory.Delete(StateDirectory, recursive: true);
    }
}
