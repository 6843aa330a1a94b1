using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// Seed document 000's two servers as network namespaces created for the test: server 1 (10.1.51.165) and server 2
/// (10.1.77.146), each with an <c>eth0</c> on one veth link and the document's MAC addresses. Deleted on dispose.
/// </summary>
public sealed class SeedNetwork : IDisposable
{
    /// <summary>Server 1's address.</summary>
    public const string Server1 = "10.1.51.165";

    /// <summary>Server 2's address.</summary>
    public const string Server2 = "10.1.77.146";

    /// <summary>Server 1's MAC address (the document's).</summary>
    public const string Server1Mac = "0a:11:d1:09:77:ce";

    /// <summary>Server 2's MAC address (the document's).</summary>
    public const string Server2Mac = "0a:a2:e8:49:27:a3";

    private static int s_counter;

    /// <summary>Creates both servers.</summary>
    public SeedNetwork()
    {
        string suffix = $"{Environment.ProcessId}x{Interlocked.Increment(ref s_counter)}";
        Server1Namespace = "sks1-" + suffix;
        Server2Namespace = "sks2-" + suffix;
        try
        {
            Ip("netns", "add", Server1Namespace);
            Ip("netns", "add", Server2Namespace);
            string link = "skv" + suffix;
            Ip("link", "add", link + "a", "netns", Server1Namespace, "type", "veth", "peer", "name", link + "b", "netns", Server2Namespace);
            Configure(Server1Namespace, link + "a", Server1Mac, Server1);
            Configure(Server2Namespace, link + "b", Server2Mac, Server2);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Server 1's namespace.</summary>
    public string Server1Namespace { get; }

    /// <summary>Server 2's namespace.</summary>
    public string Server2Namespace { get; }

    /// <summary>Runs a program on server 1.</summary>
    public ToolResult OnServer1(params string[] command) => Run(Server1Namespace, command);

    /// <summary>Runs a program on server 2.</summary>
    public ToolResult OnServer2(params string[] command) => Run(Server2Namespace, command);

    /// <summary>Runs a program in a namespace.</summary>
    public static ToolResult Run(string ns, IEnumerable<string> command, string? stdin = null) =>
        KernelEnvironment.Exec("ip", new[] { "netns", "exec", ns }.Concat(command), stdin, timeout: TimeSpan.FromSeconds(30));

    /// <summary>Runs <c>ip</c>; throws when it fails.</summary>
    public static void Ip(params string[] args)
    {
        var result = KernelEnvironment.Exec("ip", args);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {result.Stderr.Trim()}");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KernelEnvironment.Exec("ip", ["netns", "del", Server1Namespace]);
        KernelEnvironment.Exec("ip", ["netns", "del", Server2Namespace]);
    }

    private static void Configure(string ns, string link, string mac, string address)
    {
        Ip("-n", ns, "link", "set", "dev", link, "name", "eth0");
        Ip("-n", ns, "link", "set", "dev", "eth0", "address", mac);
        Ip("-n", ns, "addr", "add", address + "/16", "dev", "eth0");
        Ip("-n", ns, "link", "set", "dev", "eth0", "up");
        Ip("-n", ns, "link", "set", "dev", "lo", "up");
    }
}
