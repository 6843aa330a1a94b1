using System.Buffers.Binary;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// REJECT against the kernel: every --reject-with type on INPUT of a server and on FORWARD of a router, the
/// replies' addresses, TOS, TTL, quoted length and checksums; no reply where the kernel sends none (ICMP errors,
/// broadcasts, non-first fragments, bad checksums, resets); the rate limit of a burst; REJECT of the host's own
/// packets in OUTPUT. An OUTPUT LOG rule logs every reply as it passes.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class RejectTests
{
    private const string ServerRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -p udp --dport 1 -j REJECT --reject-with icmp-net-unreachable
        -A INPUT -p udp --dport 2 -j REJECT --reject-with icmp-host-unreachable
        -A INPUT -p udp --dport 3 -j REJECT --reject-with icmp-port-unreachable
        -A INPUT -p udp --dport 4 -j REJECT --reject-with icmp-proto-unreachable
        -A INPUT -p udp --dport 5 -j REJECT --reject-with icmp-net-prohibited
        -A INPUT -p udp --dport 6 -j REJECT --reject-with icmp-host-prohibited
        -A INPUT -p udp --dport 7 -j REJECT --reject-with icmp-admin-prohibited
        -A INPUT -p tcp --dport 9 -j REJECT --reject-with tcp-reset
        -A INPUT -p tcp -j REJECT
        -A INPUT -p icmp -j REJECT --reject-with icmp-host-prohibited
        -A INPUT -p udp -j REJECT
        -A INPUT -j REJECT --reject-with icmp-proto-unreachable
        -A OUTPUT -j LOG --log-prefix "out " --log-tcp-sequence
        COMMIT
        """;

    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");

    private static IpFields From(int peer) => new(new Ipv4Address(10, 1, 77, (byte)peer), s_server1) { Id = (ushort)(4000 + peer) };

    [KernelFact]
    public void Input_EveryTypeAndReset_LikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), ServerRules);
        for (ushort port = 1; port <= 7; port++)
        {
            lab.InjectDatagram("eth0", PacketBuilder.Udp(From(port) with { Tos = (byte)(port * 36) }, 5353, port, "payload"u8), $"UDP to {port}");
            Assert.Single(lab.LastFrames);
        }

        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(9) with { Tos = 0x1B, DontFragment = true }, 40000, 9, TcpHeader.Syn, 1000, 0, 29200, [2, 4, 5, 180]), "SYN: reset");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(9), 40000, 9, TcpHeader.Ack | TcpHeader.Psh, 1000, 0xABCDEF01, payload: "data"u8), "ACK: reset");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(9), 40000, 9, TcpHeader.Fin, 0xFFFFFFFF, payload: "bye"u8), "FIN: reset");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(9), 40000, 9, TcpHeader.Rst, 1), "RST: nothing");
        Assert.Empty(lab.LastFrames);
        var bad = PacketBuilder.Tcp(From(9), 40000, 9, TcpHeader.Syn, 1);
        bad[37] ^= 1;
        lab.InjectDatagram("eth0", bad, "bad checksum: nothing");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(10), 40000, 22, TcpHeader.Syn, 1), "SYN: port unreachable");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(11), 1, 1, new byte[56]), "echo: host prohibited");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(11), 3, 3, 0, PacketBuilder.Udp(new IpFields(s_server1, From(11).Source), 1, 2)), "ICMP error: nothing");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(11), 42, 0, 0, new byte[8]), "unknown ICMP type: nothing");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(11), 13, 0, 0, new byte[12]), "timestamp: host prohibited");
        Assert.Single(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Input_ChecksumsBroadcastsSizes_LikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), ServerRules);
        var bad = PacketBuilder.Udp(From(20), 5353, 3, "x"u8);
        bad[26] ^= 0x40;
        lab.InjectDatagram("eth0", bad, "UDP bad checksum: nothing");
        Assert.Empty(lab.LastFrames);
        var zero = PacketBuilder.Udp(From(20), 5353, 3, "x"u8);
        zero[26] = zero[27] = 0;
        lab.InjectDatagram("eth0", zero, "UDP without checksum: answered");
        Assert.Single(lab.LastFrames);
        var badEcho = PacketBuilder.Echo(From(20), 1, 1);
        badEcho[22] ^= 1;
        lab.InjectDatagram("eth0", badEcho, "echo bad checksum: nothing");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(21), 5353, 3, new byte[1200]), "large UDP: quoted to 576");
        Assert.Equal(14 + 576, Assert.Single(lab.LastFrames).Bytes.Length);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(22) with { Destination = Ipv4Address.Parse("10.1.51.255") }, 5353, 3, "x"u8), "broadcast: nothing");
        Assert.Empty(lab.LastFrames);
        lab.Inject("eth0", PacketBuilder.Ethernet(MacAddress.Broadcast, LabHost.PeerMac, PacketBuilder.Udp(From(22), 5353, 3, "x"u8)), "broadcast frame: nothing");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(22) with { Destination = Ipv4Address.Parse("10.1.51.255") }, 1, 9, TcpHeader.Syn, 1), "broadcast SYN: no reset");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(23) with { Options = [1, 1, 1, 0] }, 5353, 3, "x"u8), "with IP options");

        // Other protocols: their checksum covers the whole payload as far as nf_reject knows.
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(From(24), 99, new byte[8]), "protocol 99, zero payload");
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(From(24), 99, [1, 2, 3, 4]), "protocol 99, other payload");
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(From(25), 47, [1, 2, 3, 4]), "GRE");
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(From(26), 132, [1, 2, 3, 4]), "SCTP");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Input_BurstOfRejects_RateLimitedLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), ServerRules);
        int icmp = 0;
        int resets = 0;
        // Eight of each, well within the second after which the per-peer bucket (burst 6) earns a token again.
        for (int i = 0; i < 8; i++)
        {
            lab.InjectDatagram("eth0", PacketBuilder.Udp(From(30) with { Id = (ushort)i }, 5353, 3, "x"u8), $"UDP {i}");
            icmp += lab.LastFrames.Count;
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(30) with { Id = (ushort)i }, 40000, 9, TcpHeader.Syn, (uint)i), $"SYN {i}");
            resets += lab.LastFrames.Count;
        }

        Assert.Equal(6, icmp);
        Assert.Equal(8, resets);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Output_HostsOwnPackets_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -j LOG --log-prefix "in "
            -A OUTPUT -j LOG --log-prefix "out "
            -A OUTPUT -p icmp --icmp-type echo-reply -j REJECT --reject-with icmp-net-prohibited
            -A OUTPUT -p tcp -j REJECT --reject-with tcp-reset
            COMMIT
            """;
        using var lab = new LabPair(LabHost.SeedServer1(), rules);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(40), 1, 1, "ping"u8), "echo reply rejected: error to ourselves");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(40), 40000, 22, TcpHeader.Syn, 1), "the stack's reset is a reset: nothing more");
        lab.AssertCounters();
    }

    [KernelFact]
    public void WithConntrack_RepliesStatesLikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -m state --state ESTABLISHED -j LOG --log-prefix "in established "
            -A INPUT -p tcp --dport 9 -j REJECT --reject-with tcp-reset
            -A INPUT -p udp --dport 3 -j REJECT
            -A OUTPUT -m state --state RELATED -j LOG --log-prefix "related "
            -A OUTPUT -m state --state INVALID -j LOG --log-prefix "invalid "
            -A OUTPUT -m state --state NEW -j LOG --log-prefix "new "
            -A OUTPUT -m state --state ESTABLISHED -j LOG --log-prefix "established "
            COMMIT
            """;
        using var lab = new LabPair(LabHost.SeedServer1(), rules);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(50), 40000, 9, TcpHeader.Syn, 1), "SYN rejected with a reset");
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(50), 5353, 3, "x"u8), "UDP rejected");
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(50), 5353, 4, "x"u8), "UDP to a closed port: the stack answers");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(50), 9, 1), "echo: the reply is ESTABLISHED");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(50), 9, 2), "second echo");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(50), 40001, 22, TcpHeader.Syn, 1), "SYN to a closed port: the stack resets");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Forward_EveryKindOnARouter_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -f -j REJECT
            -A FORWARD -p udp --dport 3 -j REJECT
            -A FORWARD -p udp --dport 4 -j REJECT --reject-with icmp-admin-prohibited
            -A FORWARD -p tcp --dport 9 -j REJECT --reject-with tcp-reset
            -A FORWARD -p icmp -j REJECT --reject-with icmp-host-unreachable
            -A FORWARD -p tcp -j REJECT --reject-with icmp-net-unreachable
            -A OUTPUT -j LOG --log-prefix "out "
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        var client = Ipv4Address.Parse("10.0.1.2");
        var server = Ipv4Address.Parse("10.0.2.2");
        var ip = new IpFields(client, server) { Id = 77, Tos = 0x28 };
        lab.InjectDatagram("eth0", PacketBuilder.Udp(ip, 5000, 3, "x"u8), "UDP port unreachable");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(ip with { Ttl = 2 }, 5000, 4, "x"u8), "UDP admin prohibited");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip with { DontFragment = true }, 5000, 9, TcpHeader.Syn, 42), "reset for the server");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(new IpFields(server, client), 9, 5000, TcpHeader.Ack, 42, 43), "TCP from the server side");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(ip, 1, 1), "echo: host unreachable");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, 80, TcpHeader.Syn, 1), "net unreachable");
        var fragments = PacketBuilder.Fragment(PacketBuilder.Udp(ip with { Id = 99 }, 5000, 3, new byte[100]), 48);
        foreach (var fragment in fragments)
        {
            lab.InjectDatagram("eth0", fragment, "fragment");
        }

        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(client, Ipv4Address.Parse("10.0.2.255")), 5000, 3, "x"u8), "directed broadcast");
        lab.AssertCounters();
    }
}
