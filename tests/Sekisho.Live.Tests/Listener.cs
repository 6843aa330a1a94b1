using System.Diagnostics;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// <c>nc -l PORT</c> in a namespace (netcat-openbsd: one connection, then it exits), ready once <c>ss</c> shows the
/// port listening; what it received is its standard output, and with <c>-v</c> its standard error names the peer.
/// </summary>
public sealed class Listener : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    /// <summary>Starts the listener and waits until it listens.</summary>
    public Listener(string ns, int port)
    {
        var info = new ProcessStartInfo(KernelEnvironment.FindOnPath("ip") ?? "ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "netns", "exec", ns, "nc", "-n", "-v", "-l", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("cannot start nc");
        _process.StandardInput.Close();
        _stdout = _process.StandardOutput.ReadToEndAsync();
        _stderr = _process.StandardError.ReadToEndAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!SeedNetwork.Run(ns, ["ss", "-Hltn", $"sport = :{port}"]).Stdout.Contains("LISTEN", StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"nc -l {port} does not listen");
            }

            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the connection to end; what the listener received and printed about its peer.</summary>
    public (string Received, string Messages) Finish()
    {
        if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            _process.Kill();
        }

        return (_stdout.Result, _stderr.Result);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
