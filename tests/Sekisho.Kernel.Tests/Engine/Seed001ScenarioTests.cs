using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// Seed document 001: CentOS 6's default ruleset (state RELATED,ESTABLISHED, icmp, lo, ssh NEW, REJECT with
/// icmp-host-prohibited on INPUT and FORWARD) on a server and on a router, against the kernel: which rule each
/// packet meets, the replies and the counters of <c>iptables -L -v</c>, and the connections conntrack keeps.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class Seed001ScenarioTests
{
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.1.77.146");

    [KernelFact]
    public void Server_PingSshWebAndRelatedError_CountLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), SeedRulesets.Seed001CentOsDefault);
        var toServer = new IpFields(s_client, s_server) { DontFragment = true };

        // A ping session: the first request is NEW (the icmp rule), the later ones ESTABLISHED (the state rule).
        for (ushort sequence = 1; sequence <= 3; sequence++)
        {
            lab.InjectDatagram("eth0", PacketBuilder.Echo(toServer with { Id = (ushort)(100 + sequence) }, 0x0abc, sequence, new byte[56]), $"ping {sequence}");
            Assert.Single(lab.LastFrames);
        }

        // An error about the server's echo reply is RELATED to the ping's connection (the state rule again).
        var reply = PacketBuilder.Echo(new IpFields(s_server, s_client) { Id = 7, DontFragment = true }, 0x0abc, 3, new byte[56], reply: true);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(toServer with { Id = 200, DontFragment = false }, 3, 1, 0, reply.AsSpan(0, 28)), "error about the reply");
        Assert.Empty(lab.LastFrames);

        // ssh: NEW and to port 22, accepted; nothing listens, so the host resets it.
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer with { Id = 300 }, 50022, 22, TcpHeader.Syn, 1000, 0, 29200), "ssh SYN");
        Assert.Single(lab.LastFrames);

        // Anything else: rejected with host prohibited (type 3, code 10).
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer with { Id = 301 }, 50080, 80, TcpHeader.Syn, 2000, 0, 29200), "web SYN");
        var rejected = Assert.Single(lab.LastFrames).Bytes;
        Assert.Equal((byte)3, rejected[14 + 20]);
        Assert.Equal((byte)10, rejected[14 + 21]);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(toServer with { Id = 302 }, 5353, 53, "q"u8), "dns");
        Assert.Single(lab.LastFrames);

        // A stray ACK to port 22 after the reset: conntrack (nf_conntrack_tcp_loose=1) picks it up as a NEW
        // connection, so the ssh rule's "state NEW" takes it too, which surprises many.
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer with { Id = 303 }, 50022, 22, TcpHeader.Ack, 5000, 7000, 29200), "stray ACK");

        string counters = lab.AssertCounters("the session");
        Assert.Contains("[3:224] -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT", counters);
        Assert.Contains("[1:84] -A INPUT -p icmp -j ACCEPT", counters);
        Assert.Contains("[2:80] -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT", counters);
        Assert.Contains("[2:69] -A INPUT -j REJECT --reject-with icmp-host-prohibited", counters);
        lab.AssertConntrack("the session");
    }

    [KernelFact]
    public void Router_ForwardedTraffic_RejectedWithHostProhibited()
    {
        using var lab = new LabPair(LabHost.Router(), SeedRulesets.Seed001CentOsDefault);
        var through = new IpFields(Ipv4Address.Parse("10.0.1.2"), Ipv4Address.Parse("10.0.2.2")) { Id = 10, DontFragment = true };

        lab.InjectDatagram("eth0", PacketBuilder.Tcp(through, 40000, 443, TcpHeader.Syn, 1, 0, 64240), "forwarded SYN");
        var error = Assert.Single(lab.LastFrames).Bytes;
        Assert.Equal((byte)10, error[14 + 21]);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(through with { Id = 11 }, 9, 1, new byte[16]), "forwarded ping");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(new IpFields(Ipv4Address.Parse("10.0.1.2"), Ipv4Address.Parse("10.0.1.1")) { Id = 12 }, 9, 1, new byte[16]), "ping the router");
        Assert.Single(lab.LastFrames);
        lab.AssertCounters("forwarded traffic");
    }
}
