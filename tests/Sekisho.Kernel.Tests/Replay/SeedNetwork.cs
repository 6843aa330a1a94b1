using System.Diagnostics;
using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Replay;

/// <summary>
/// Seed document 000's network as three kernel namespaces joined by veth pairs: server 1 (10.1.51.165, MAC
/// 0a:11:d1:09:77:ce), the VPC router (10.1.51.1 with MAC 0a:a2:e8:49:27:a3, and 10.1.77.1) and server 2
/// (10.1.77.146). Real ping, TCP connections and tcpdump run in them; nothing leaves them.
/// </summary>
internal sealed class SeedNetwork : IDisposable
{
    private readonly List<Process> _captures = [];

    public SeedNetwork()
    {
        KernelEnvironment.EnsureAvailable();
        if (KernelEnvironment.FindOnPath("tcpdump") is null || KernelEnvironment.FindOnPath("ping") is null)
        {
            throw new InvalidOperationException("tcpdump and ping are needed (apt-get install tcpdump iputils-ping)");
        }

        Server1 = new KernelNamespace();
        Router = new KernelNamespace();
        Server2 = new KernelNamespace();
        try
        {
            Link(Server1, "eth0", "0a:11:d1:09:77:ce", Router, "eth0", "0a:a2:e8:49:27:a3");
            Link(Router, "eth1", "02:00:00:00:77:01", Server2, "eth0", "02:00:00:00:77:92");
            foreach (var ns in new[] { Server1, Router, Server2 })
            {
                Run(ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
                Run(ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.disable_ipv6=1");
                Run(ns, "ip", "link", "set", "lo", "up");
            }

            Run(Router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
            Address(Server1, "10.1.51.165/24", "eth0");
            Address(Router, "10.1.51.1/24", "eth0");
            Address(Router, "10.1.77.1/24", "eth1");
            Address(Server2, "10.1.77.146/24", "eth0");
            Run(Server1, "ip", "route", "add", "default", "via", "10.1.51.1", "dev", "eth0");
            Run(Server2, "ip", "route", "add", "default", "via", "10.1.77.1", "dev", "eth0");

            // Neighbours known in advance, so that the capture holds the IPv4 traffic the test makes and no ARP races.
            Run(Server1, "ip", "neigh", "replace", "10.1.51.1", "lladdr", "0a:a2:e8:49:27:a3", "dev", "eth0", "nud", "permanent");
            Run(Router, "ip", "neigh", "replace", "10.1.51.165", "lladdr", "0a:11:d1:09:77:ce", "dev", "eth0", "nud", "permanent");
            Run(Router, "ip", "neigh", "replace", "10.1.77.146", "lladdr", "02:00:00:00:77:92", "dev", "eth1", "nud", "permanent");
            Run(Server2, "ip", "neigh", "replace", "10.1.77.1", "lladdr", "02:00:00:00:77:01", "dev", "eth0", "nud", "permanent");
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public KernelNamespace Server1 { get; }

    public KernelNamespace Router { get; }

    public KernelNamespace Server2 { get; }

    public static ToolResult Run(KernelNamespace ns, params string[] command)
    {
        var result = ns.Run(command);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({result.ExitCode}): {result.Stderr}");
        }

        return result;
    }

    /// <summary>Starts tcpdump in a namespace, writing <paramref name="path"/>; returns once it listens.</summary>
    public Process StartCapture(KernelNamespace ns, string path, string interfaceName, params string[] options)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in new[] { "netns", "exec", ns.Name, "tcpdump", "-i", interfaceName, "-U", "--immediate-mode", "-Z", "root", "-n", "-w", path }.Concat(options))
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start tcpdump");
        _captures.Add(process);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null)
        {
            if (line.Contains("listening on", StringComparison.Ordinal))
            {
                return process;
            }

            if (DateTime.UtcNow > deadline)
            {
                break;
            }
        }

        throw new InvalidOperationException($"tcpdump did not start: {line}");
    }

    /// <summary>Stops a capture (SIGINT, by its process id) and waits for the file to be complete.</summary>
    public static void StopCapture(Process process)
    {
        // Give the last packets time to reach the capture before stopping it.
        Thread.Sleep(300);
        KernelEnvironment.Exec("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!process.WaitForExit(10000))
        {
            process.Kill();
        }
    }

    public void Dispose()
    {
        foreach (var capture in _captures)
        {
            if (!capture.HasExited)
            {
                capture.Kill();
            }

            capture.Dispose();
        }

        Server1?.Dispose();
        Router?.Dispose();
        Server2?.Dispose();
    }

    private static void Link(KernelNamespace a, string nameA, string macA, KernelNamespace b, string nameB, string macB)
    {
        string tempA = $"sk{Environment.ProcessId % 100000}a{a.Name.GetHashCode() & 0xFFF:x}";
        string tempB = $"sk{Environment.ProcessId % 100000}b{b.Name.GetHashCode() & 0xFFF:x}";
        var result = KernelEnvironment.Exec("ip", ["link", "add", tempA, "netns", a.Name, "type", "veth", "peer", "name", tempB, "netns", b.Name]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"veth: {result.Stderr}");
        }

        Run(a, "ip", "link", "set", tempA, "name", nameA);
        Run(b, "ip", "link", "set", tempB, "name", nameB);
        Run(a, "ip", "link", "set", nameA, "address", macA);
        Run(b, "ip", "link", "set", nameB, "address", macB);
        Run(a, "ip", "link", "set", nameA, "up");
        Run(b, "ip", "link", "set", nameB, "up");
    }

    private static void Address(KernelNamespace ns, string prefix, string device) => Run(ns, "ip", "addr", "add", prefix, "dev", device);
}
