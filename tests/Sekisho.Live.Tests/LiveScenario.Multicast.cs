using System.Net;
using System.Net.Sockets;
using System.Text;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

public static partial class LiveScenario
{
    /// <summary>A joined group (mDNS's).</summary>
    public const string JoinedGroup = "224.0.0.251";

    /// <summary>A group server 1 does not join; server 2 does.</summary>
    public const string OtherGroup = "224.0.0.252";

    /// <summary>Multicast counted and logged on server 1.</summary>
    public const string MulticastRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m pkttype --pkt-type multicast -j LOG --log-prefix "[MC-IN] "
        -A INPUT -d 224.0.0.251/32 -p udp --dport 5353
        -A INPUT -d 224.0.0.252/32
        -A OUTPUT -d 224.0.0.0/4 -j LOG --log-prefix "[MC-OUT] "
        COMMIT

        """;

    /// <summary>
    /// Link-local multicast between the two servers: server 1 joins 224.0.0.251 and server 2 224.0.0.252 (without
    /// IGMP reports, which the kernel would send on timers); server 2 sends to both groups and server 1 receives
    /// only its own; server 1 sends to server 2's group. The daemon reads memberships once a second: the scenario
    /// waits for its word that it has seen server 1's.
    /// </summary>
    public static List<Step> PlayMulticast(SeedNetwork network, IFirewallUnderTest firewall)
    {
        foreach (string ns in new[] { network.Server1Namespace, network.Server2Namespace })
        {
            var sysctl = SeedNetwork.Run(ns, ["sysctl", "-q", "-w", "net.ipv4.igmp_link_local_mcast_reports=0"]);
            Assert.True(sysctl.ExitCode == 0, sysctl.ToString());
        }

        firewall.Load(MulticastRules);
        using var server1 = new NamespaceThread(network.Server1Namespace);
        using var server2 = new NamespaceThread(network.Server2Namespace);
        using var member1 = Join(server1, JoinedGroup, SeedNetwork.Server1);
        using var member2 = Join(server2, OtherGroup, SeedNetwork.Server2);
        if (firewall is DaemonFirewall daemon)
        {
            Assert.True(daemon.Daemon.WroteOnStderr($"followed the host's multicast groups: eth0 {JoinedGroup}"), daemon.Daemon.Stderr);
        }

        var steps = new List<Step>();
        Multicast(server2, SeedNetwork.Server2, JoinedGroup, "to the joined group");
        steps.Add(Finish("server 2 to server 1's group", firewall, Receive(server1, member1)));
        Multicast(server2, SeedNetwork.Server2, OtherGroup, "to a group server 1 has not joined");
        steps.Add(Finish("server 2 to a group server 1 has not joined", firewall, Receive(server1, member1)));
        Multicast(server1, SeedNetwork.Server1, OtherGroup, "from server 1");
        steps.Add(Finish("server 1 to server 2's group", firewall, Receive(server2, member2)));
        return steps;
    }

    private static Socket Join(NamespaceThread thread, string group, string address) =>
        thread.Invoke(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, 5353));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                new MulticastOption(IPAddress.Parse(group), IPAddress.Parse(address)));
            socket.ReceiveTimeout = 2000;
            return socket;
        });

    // A datagram from a socket bound to the server's address: it leaves through that address's interface, TTL 1.
    private static void Multicast(NamespaceThread thread, string source, string group, string text) =>
        thread.Invoke(() =>
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            socket.SendTo(Encoding.ASCII.GetBytes(text), new IPEndPoint(IPAddress.Parse(group), 5353));
            return 0;
        });

    private static string Receive(NamespaceThread thread, Socket socket) =>
        thread.Invoke(() =>
        {
            var buffer = new byte[1500];
            EndPoint from = new IPEndPoint(IPAddress.Any, 0);
            try
            {
                int length = socket.ReceiveFrom(buffer, ref from);
                return $"received \"{Encoding.ASCII.GetString(buffer, 0, length)}\" from {((IPEndPoint)from).Address}";
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
            {
                return "nothing received";
            }
        });
}
