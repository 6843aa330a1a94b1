using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// The walk through tables as ipt_do_table does it: the IP part of rules, user chains, jumps, goto, RETURN,
/// policies, rules without a target, counters of rules and policies. Packets are forwarded by a router, so that
/// nothing but the ruleset decides what comes out.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class TraversalTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");

    [KernelFact]
    public void Forward_UserChainsJumpGotoReturn_CountersAndFramesLikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :a - [0:0]
            :b - [0:0]
            :c - [0:0]
            -A FORWARD -s 10.0.1.0/24 -j a
            -A FORWARD -p udp
            -A FORWARD -d 10.0.2.2/32 -p udp -j ACCEPT
            -A a -p icmp -j ACCEPT
            -A a ! -d 10.0.2.0/24 -j DROP
            -A a -i eth0 -o eth1 -j b
            -A a -i eth1 -j DROP
            -A b -p udp -g c
            -A b -j DROP
            -A c -s 10.0.1.2/32 -d 10.0.2.2/32 -j RETURN
            -A c -j ACCEPT
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        var ip = new IpFields(s_client, s_server) { Id = 0x1234 };
        lab.InjectDatagram("eth0", PacketBuilder.Udp(ip, 40000, 53, "hello"u8));
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(ip with { Source = Ipv4Address.Parse("10.0.1.3") }, 40000, 53, "x"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 40000, 80, TcpHeader.Syn, 1000));
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(ip, 7, 1, new byte[56]));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, s_client), 53, 40000, "reply"u8));
        lab.AssertCounters();
    }

    [KernelFact]
    public void Forward_FragmentFlagAndInversions_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -f -j DROP
            -A FORWARD ! -f -p udp
            -A FORWARD ! -p udp -j DROP
            -A FORWARD ! -s 10.0.1.2/32 -j DROP
            -A FORWARD ! -i eth0 -j DROP
            -A FORWARD ! -o eth1 -j DROP
            -A FORWARD -i eth+ -o eth1
            -A FORWARD -i + -o +
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        var ip = new IpFields(s_client, s_server) { Id = 77 };
        var datagram = PacketBuilder.Udp(ip, 1000, 2000, new byte[100]);
        var fragments = PacketBuilder.Fragment(datagram, 48);
        foreach (var fragment in fragments)
        {
            lab.InjectDatagram("eth0", fragment);
        }

        lab.InjectDatagram("eth0", datagram);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 1, 2, TcpHeader.Ack));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(ip with { Source = Ipv4Address.Parse("10.0.1.9") }, 1, 2));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, s_client), 2, 1));
        lab.AssertCounters();
    }

    [KernelFact]
    public void Forward_SourceIsTheRoutersOwnAddress_DroppedAsMartianAfterPrerouting()
    {
        const string rules = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -i eth0
            -A FORWARD -i eth0
            -A INPUT -i eth0
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);

        // From outside, but with a source the router owns (on either interface); a broadcast source is forwarded.
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(Ipv4Address.Parse("10.0.1.1"), s_server), 1, 2, "x"u8), "own source");
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(Ipv4Address.Parse("10.0.2.1"), s_server), 1, 2, "x"u8), "other interface's");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(new IpFields(Ipv4Address.Parse("10.0.2.1"), Ipv4Address.Parse("10.0.1.1")), 1, 1), "to the router itself");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(Ipv4Address.Parse("10.0.1.255"), s_server), 1, 2, "x"u8), "broadcast source");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(s_client, s_server), 1, 2, "x"u8), "a proper one");
        Assert.Single(lab.LastFrames);
        lab.AssertCounters();
    }
}
