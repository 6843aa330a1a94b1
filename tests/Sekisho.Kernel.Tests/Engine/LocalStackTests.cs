using System.Buffers.Binary;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// What the host answers by itself to packets INPUT accepted, against the kernel: echo replies, resets for closed
/// TCP ports, port unreachables for closed UDP ports, protocol unreachables, and silence where the kernel keeps
/// it (bad checksums, resets, broadcasts, ICMP errors). An OUTPUT LOG rule logs every answer, so the LOG lines of
/// ICMP errors with their quoted datagrams are compared too.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class LocalStackTests
{
    private const string Rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A OUTPUT -j LOG --log-prefix "out " --log-tcp-sequence --log-ip-options
        COMMIT
        """;

    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");

    private static IpFields From(int peer) => new(new Ipv4Address(10, 1, 77, (byte)peer), s_server1) { Id = (ushort)(1000 + peer) };

    [KernelFact]
    public void Echo_RequestsAnsweredLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1), 7, 1, new byte[56]), "echo");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1) with { Tos = 0x1F, DontFragment = true }, 7, 2, "abc"u8), "echo with TOS and DF");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1), 7, 3), "empty echo");
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(1), 8, 5, 0x00070004, new byte[10]), "echo with a code");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1) with { Options = [1, 1, 1, 0] }, 7, 5, new byte[8]), "echo with NOP options");

        var bad = PacketBuilder.Echo(From(1), 7, 6, new byte[8]);
        bad[22] ^= 0xFF;
        lab.InjectDatagram("eth0", bad, "echo with a bad checksum");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1) with { Destination = Ipv4Address.Parse("10.1.51.255") }, 7, 7), "broadcast echo");
        Assert.Empty(lab.LastFrames);
        lab.Inject("eth0", PacketBuilder.Ethernet(MacAddress.Broadcast, LabHost.PeerMac, PacketBuilder.Echo(From(1), 7, 8)), "echo in a broadcast frame");
        lab.InjectDatagram("eth0", PacketBuilder.Echo(From(1), 7, 9, reply: true), "echo reply: no answer");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(1), 13, 0, 0, new byte[2]), "timestamp request too short");
        Assert.Empty(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_ClosedPortsAnsweredWithResetsLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2), 40000, 22, TcpHeader.Syn, 1000, 0, 29200, [2, 4, 5, 180]), "SYN");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2) with { DontFragment = true, Tos = 0x13 }, 40001, 80, TcpHeader.Ack | TcpHeader.Psh, 5000, 777777, 512, payload: "GET / HTTP/1.0\r\n\r\n"u8), "ACK with data");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2), 40002, 80, TcpHeader.Fin | TcpHeader.Syn, 0xFFFFFFF0, payload: new byte[20]), "SYN FIN with data");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2), 40003, 80, 0, 12345), "no flags");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2), 40004, 80, TcpHeader.Rst, 12345), "RST: no answer");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2), 40005, 80, TcpHeader.Rst | TcpHeader.Ack, 12345, 5), "RST ACK: no answer");
        var bad = PacketBuilder.Tcp(From(2), 40006, 80, TcpHeader.Syn, 1);
        bad[36] ^= 0x55;
        lab.InjectDatagram("eth0", bad, "bad checksum: no answer");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(From(2) with { Destination = Ipv4Address.Parse("10.1.51.255") }, 40007, 80, TcpHeader.Syn, 1), "broadcast SYN");
        Assert.Empty(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Udp_ClosedPortsAnsweredWithPortUnreachableLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(3), 5353, 53, "query"u8), "UDP");
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(4) with { Tos = 0xB8 }, 5353, 9999, new byte[1000]), "large UDP: 576 bytes at most");
        Assert.Equal(14 + 576, Assert.Single(lab.LastFrames).Bytes.Length);

        var zero = PacketBuilder.Udp(From(5), 5353, 53, "no checksum"u8);
        zero[26] = zero[27] = 0;
        lab.InjectDatagram("eth0", zero, "UDP without checksum");
        Assert.Single(lab.LastFrames);

        var bad = PacketBuilder.Udp(From(5), 5353, 53, "bad checksum"u8);
        bad[27] ^= 0x0F;
        lab.InjectDatagram("eth0", bad, "bad checksum: no answer");
        Assert.Empty(lab.LastFrames);

        // A UDP length shorter than the datagram: the kernel trims to it (and quotes no more).
        var shortLength = PacketBuilder.Udp(From(6), 5353, 53, new byte[40]);
        BinaryPrimitives.WriteUInt16BigEndian(shortLength.AsSpan(24), 16);
        shortLength[26] = shortLength[27] = 0;
        lab.InjectDatagram("eth0", shortLength, "UDP length shorter than the datagram");
        var longLength = PacketBuilder.Udp(From(6), 5353, 54, new byte[4]);
        BinaryPrimitives.WriteUInt16BigEndian(longLength.AsSpan(24), 400);
        lab.InjectDatagram("eth0", longLength, "UDP length longer than the datagram: dropped");
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(7) with { Destination = Ipv4Address.Parse("10.1.51.255") }, 5353, 53, "x"u8), "broadcast UDP");
        Assert.Empty(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void OtherProtocols_ProtocolUnreachableLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        byte[] payload = [0, 0, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        foreach (byte protocol in new byte[] { 99, 2, 4, 41, 47, 50, 51, 132, 136, 253 })
        {
            lab.InjectDatagram("eth0", PacketBuilder.Ipv4(From(10 + protocol % 100), protocol, payload), $"protocol {protocol}");
        }

        lab.AssertCounters();
    }

    [KernelFact]
    public void IcmpErrors_NeverAnsweredLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        var quoted = PacketBuilder.Udp(new IpFields(s_server1, Ipv4Address.Parse("10.1.77.9")), 53, 5353, "x"u8);
        foreach (byte type in new byte[] { 3, 4, 5, 11, 12, 14, 0, 17, 30 })
        {
            lab.InjectDatagram("eth0", PacketBuilder.Icmp(From(20), type, 1, 0, quoted), $"ICMP type {type}");
            Assert.Empty(lab.LastFrames);
        }
    }

    [KernelFact]
    public void PortUnreachable_BurstRateLimitedPerPeerLikeKernel()
    {
        using var lab = new LabPair(LabHost.SeedServer1(), Rules);
        int answered = 0;
        for (int i = 0; i < 12; i++)
        {
            lab.InjectDatagram("eth0", PacketBuilder.Udp(From(30) with { Id = (ushort)i }, 5353, (ushort)(1000 + i), "x"u8), $"UDP {i}");
            answered += lab.LastFrames.Count;
        }

        Assert.Equal(6, answered);

        // Another peer has its own bucket; echo replies are not limited.
        lab.InjectDatagram("eth0", PacketBuilder.Udp(From(31), 5353, 999, "x"u8), "another peer");
        Assert.Single(lab.LastFrames);
        for (int i = 0; i < 8; i++)
        {
            lab.InjectDatagram("eth0", PacketBuilder.Echo(From(30), 1, (ushort)i), $"echo {i}");
            Assert.Single(lab.LastFrames);
        }
    }
}
