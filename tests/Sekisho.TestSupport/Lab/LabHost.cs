using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>The description of a host under test: interfaces, neighbours, routes, forwarding, sysctls.</summary>
/// <remarks>The same description builds the kernel's host (a network namespace with TAP devices) and Sekisho's (a host model).</remarks>
public sealed class LabHost
{
    /// <summary>The MAC the seed document's router (and the peers of every lab) have.</summary>
    public static readonly MacAddress PeerMac = MacAddress.Parse("0a:a2:e8:49:27:a3");

    /// <summary>The interfaces.</summary>
    public List<LabInterface> Interfaces { get; } = [];

    /// <summary>Static neighbours: address, MAC, interface.</summary>
    public List<(Ipv4Address Address, MacAddress Mac, string Interface)> Neighbours { get; } = [];

    /// <summary>Routes: destination prefix, prefix length, gateway, interface.</summary>
    public List<(Ipv4Address Destination, int PrefixLength, Ipv4Address Gateway, string Interface)> Routes { get; } = [];

    /// <summary>Multicast groups a process of the host has joined (<c>IP_ADD_MEMBERSHIP</c>), and on which interface.</summary>
    public List<(Ipv4Address Group, string Interface)> MulticastGroups { get; } = [];

    /// <summary>Whether the host forwards.</summary>
    public bool Forwarding { get; set; }

    /// <summary>Whether echo requests to broadcast addresses are answered (<c>icmp_echo_ignore_broadcasts=0</c>).</summary>
    public bool AnswerBroadcastEcho { get; set; }

    /// <summary>
    /// The seed document's server 1: eth0 with 10.1.51.165/24 and MAC 0a:11:d1:09:77:ce, a router at 10.1.51.1
    /// (MAC 0a:a2:e8:49:27:a3) as default gateway, behind which server 2 (10.1.77.146) lives.
    /// </summary>
    public static LabHost SeedServer1()
    {
        var host = new LabHost();
        host.Interfaces.Add(new LabInterface("eth0", MacAddress.Parse("0a:11:d1:09:77:ce"), Ipv4Address.Parse("10.1.51.165"), 24));
        host.Neighbours.Add((Ipv4Address.Parse("10.1.51.1"), PeerMac, "eth0"));
        host.Routes.Add((default, 0, Ipv4Address.Parse("10.1.51.1"), "eth0"));
        return host;
    }

    /// <summary>
    /// A router: eth0 10.0.1.1/24 towards a client (10.0.1.2), eth1 10.0.2.1/24 towards a server (10.0.2.2),
    /// forwarding on. Peers have <see cref="PeerMac"/> and the second peer MAC.
    /// </summary>
    public static LabHost Router()
    {
        var host = new LabHost { Forwarding = true };
        host.Interfaces.Add(new LabInterface("eth0", MacAddress.Parse("02:00:00:00:01:01"), Ipv4Address.Parse("10.0.1.1"), 24));
        host.Interfaces.Add(new LabInterface("eth1", MacAddress.Parse("02:00:00:00:02:01"), Ipv4Address.Parse("10.0.2.1"), 24));
        host.Neighbours.Add((Ipv4Address.Parse("10.0.1.2"), PeerMac, "eth0"));
        host.Neighbours.Add((Ipv4Address.Parse("10.0.2.2"), SecondPeerMac, "eth1"));
        return host;
    }

    /// <summary>The MAC of the peer on a router's second interface.</summary>
    public static readonly MacAddress SecondPeerMac = MacAddress.Parse("0a:a2:e8:49:27:b4");

    /// <summary>The interface of that name.</summary>
    public LabInterface Interface(string name) =>
        Interfaces.Find(i => i.Name == name) ?? throw new ArgumentException($"No interface {name}", nameof(name));

    /// <summary>An Ethernet frame from a peer to this host's interface.</summary>
    public byte[] FrameTo(string interfaceName, byte[] datagram, MacAddress? from = null) =>
        PacketBuilder.Ethernet(Interface(interfaceName).Mac, from ?? PeerMac, datagram);
}
