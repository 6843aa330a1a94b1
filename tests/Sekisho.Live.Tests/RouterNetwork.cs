namespace Sekisho.Live.Tests;

/// <summary>
/// A NAT gateway between two networks, as namespaces created for the test: a client (10.0.2.2/24, default route via
/// the router), the router (<c>lan</c> 10.0.2.1/24, <c>wan</c> 203.0.113.1/24, forwarding on) and an external host
/// (203.0.113.7/24, with no route to the client's network). Deleted on dispose.
/// </summary>
public sealed class RouterNetwork : IDisposable
{
    /// <summary>The client's address.</summary>
    public const string Client = "10.0.2.2";

    /// <summary>The router's outside address.</summary>
    public const string RouterOutside = "203.0.113.1";

    /// <summary>The external host's address.</summary>
    public const string External = "203.0.113.7";

    private static int s_counter;

    /// <summary>Creates the three hosts.</summary>
    public RouterNetwork()
    {
        string suffix = $"{Environment.ProcessId}x{Interlocked.Increment(ref s_counter)}";
        ClientNamespace = "skc-" + suffix;
        RouterNamespace = "skr-" + suffix;
        ExternalNamespace = "ske-" + suffix;
        try
        {
            foreach (string ns in new[] { ClientNamespace, RouterNamespace, ExternalNamespace })
            {
                SeedNetwork.Ip("netns", "add", ns);
                SeedNetwork.Ip("-n", ns, "link", "set", "dev", "lo", "up");
            }

            Link("skl" + suffix, ClientNamespace, "eth0", "02:00:00:00:02:02", "10.0.2.2/24", RouterNamespace, "lan", "02:00:00:00:02:01", "10.0.2.1/24");
            Link("skw" + suffix, ExternalNamespace, "eth0", "02:00:00:00:71:07", "203.0.113.7/24", RouterNamespace, "wan", "02:00:00:00:71:01", "203.0.113.1/24");
            SeedNetwork.Ip("-n", ClientNamespace, "route", "add", "default", "via", "10.0.2.1");
            var forwarding = SeedNetwork.Run(RouterNamespace, ["sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward"]);
            if (forwarding.ExitCode != 0)
            {
                throw new InvalidOperationException($"cannot turn forwarding on: {forwarding.Stderr}");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The client's namespace.</summary>
    public string ClientNamespace { get; }

    /// <summary>The router's namespace.</summary>
    public string RouterNamespace { get; }

    /// <summary>The external host's namespace.</summary>
    public string ExternalNamespace { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (string ns in new[] { ClientNamespace, RouterNamespace, ExternalNamespace })
        {
            TestSupport.KernelEnvironment.Exec("ip", ["netns", "del", ns]);
        }
    }

    private static void Link(string name, string leftNs, string left, string leftMac, string leftAddress,
        string rightNs, string right, string rightMac, string rightAddress)
    {
        SeedNetwork.Ip("link", "add", name + "a", "netns", leftNs, "type", "veth", "peer", "name", name + "b", "netns", rightNs);
        foreach (var (ns, from, to, mac, address) in new[] { (leftNs, name + "a", left, leftMac, leftAddress), (rightNs, name + "b", right, rightMac, rightAddress) })
        {
            SeedNetwork.Ip("-n", ns, "link", "set", "dev", from, "name", to);
            SeedNetwork.Ip("-n", ns, "link", "set", "dev", to, "address", mac);
            SeedNetwork.Ip("-n", ns, "addr", "add", address, "dev", to);
            SeedNetwork.Ip("-n", ns, "link", "set", "dev", to, "up");
        }
    }
}
