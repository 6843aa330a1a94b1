using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// IPv4 multicast against the kernel: a datagram to a group the host joined on the input interface (or to
/// all-hosts, which every interface joins) goes through INPUT; one to a group it has not joined stops after
/// PREROUTING (no multicast routing); the host's own multicast leaves with the group's Ethernet address.
/// </summary>
/// <remarks>
/// The groups are link-local (224.0.0.0/24) and the kernel lab sends no IGMP reports for them, so no frame the
/// kernel sends on a timer falls into a comparison.
/// </remarks>
[Collection(KernelLogCollection.Name)]
public sealed class MulticastTests
{
    private const string Rules = """
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -d 224.0.0.0/4
        -A PREROUTING -m pkttype --pkt-type multicast
        -A POSTROUTING -m pkttype --pkt-type multicast
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m pkttype --pkt-type multicast -j LOG --log-prefix "in-mc "
        -A INPUT -m addrtype --dst-type MULTICAST -p udp --dport 5353
        -A INPUT -d 224.0.0.1
        -A OUTPUT -d 224.0.0.0/4 -j LOG --log-prefix "out-mc "
        COMMIT
        """;

    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address s_neighbour = Ipv4Address.Parse("10.1.51.7");
    private static readonly Ipv4Address s_joined = Ipv4Address.Parse("224.0.0.251");
    private static readonly Ipv4Address s_notJoined = Ipv4Address.Parse("224.0.0.252");

    private static LabHost Host()
    {
        var host = LabHost.SeedServer1();
        host.MulticastGroups.Add((s_joined, "eth0"));
        return host;
    }

    private static byte[] ToGroup(Ipv4Address group, ushort id, ushort port = 5353) =>
        PacketBuilder.Ethernet(MacAddress.ForIpv4Group(group), LabHost.PeerMac,
            PacketBuilder.Udp(new IpFields(s_neighbour, group) { Id = id, Ttl = 1 }, 5353, port, "query"u8));

    [KernelFact]
    public void Received_JoinedGroupsReachInputOthersStopAtRouting()
    {
        using var lab = new LabPair(Host(), Rules);
        lab.Inject("eth0", ToGroup(NetDeviceAllHosts, 1), "UDP to all-hosts");
        lab.Inject("eth0", ToGroup(s_joined, 2), "UDP to a joined group");
        lab.Inject("eth0", ToGroup(s_joined, 3, 9), "UDP to a joined group, a port nobody listens on: no ICMP error");
        Assert.Empty(lab.LastFrames);
        lab.Inject("eth0", ToGroup(s_notJoined, 4), "UDP to a group not joined");
        Assert.Empty(lab.LastLog);
        lab.Inject("eth0", PacketBuilder.Ethernet(MacAddress.ForIpv4Group(NetDeviceAllHosts), LabHost.PeerMac,
            PacketBuilder.Echo(new IpFields(s_neighbour, NetDeviceAllHosts) { Id = 5 }, 9, 1)), "echo to all-hosts: ignored as a broadcast");
        Assert.Empty(lab.LastFrames);
        string counters = lab.AssertCounters();

        // Five arrivals in PREROUTING; the one to the group not joined never reaches INPUT.
        Assert.StartsWith("[5:", Line(counters, "-A PREROUTING -d 224.0.0.0/4"), StringComparison.Ordinal);
        Assert.StartsWith("[4:", Line(counters, "-A INPUT -m pkttype --pkt-type multicast -j LOG"), StringComparison.Ordinal);
        Assert.StartsWith("[2:", Line(counters, "-A INPUT -d 224.0.0.1/32"), StringComparison.Ordinal);
    }

    [KernelFact]
    public void Sent_HostMulticastLeavesWithTheGroupAddress()
    {
        using var lab = new LabPair(Host(), Rules);
        lab.SendUdp(s_server1, 5353, s_notJoined, 5353, "announce"u8.ToArray(), step: "UDP from a bound socket to a group");
        var frame = Assert.Single(lab.LastFrames);
        Assert.Equal(MacAddress.ForIpv4Group(s_notJoined), MacAddress.Read(frame.Bytes));
        lab.AssertCounters();
    }

    private static string Line(string save, string rule) =>
        save.Split('\n').Single(l => l.EndsWith(rule, StringComparison.Ordinal) || l.Contains(rule + " ", StringComparison.Ordinal));

    private static Ipv4Address NetDeviceAllHosts => Sekisho.Netfilter.Engine.NetDevice.AllHostsGroup;
}
