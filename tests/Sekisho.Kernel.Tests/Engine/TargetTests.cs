using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// The mangle targets on forwarded packets, against the kernel: TOS and DSCP (the header checksum updated bit for
/// bit as the kernel does, over many checksums), MARK in every form (seen through LOG's MARK=), TCPMSS setting,
/// clamping and inserting the MSS option, CHECKSUM and NFLOG. The forwarded frames must be identical.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class TargetTests
{
    private const string Rules = """
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A FORWARD -p udp --dport 1 -j TOS --set-tos 0x10
        -A FORWARD -p udp --dport 2 -j TOS --and-tos 0x0f
        -A FORWARD -p udp --dport 3 -j TOS --or-tos 0xe0
        -A FORWARD -p udp --dport 4 -j TOS --xor-tos 0xff
        -A FORWARD -p udp --dport 5 -j TOS --set-tos 0x08/0x3f
        -A FORWARD -p udp --dport 6 -j DSCP --set-dscp 0x2e
        -A FORWARD -p udp --dport 7 -j DSCP --set-dscp-class AF41
        -A FORWARD -p udp --dport 8 -j MARK --set-mark 5
        -A FORWARD -p udp --dport 9 -j MARK --set-mark 0xff00
        -A FORWARD -p udp --dport 9 -j MARK --and-mark 0x0f0f
        -A FORWARD -p udp --dport 9 -j MARK --or-mark 0x1
        -A FORWARD -p udp --dport 9 -j MARK --xor-mark 0x3
        -A FORWARD -p udp --dport 10 -j MARK --set-xmark 0x12/0xf0
        -A FORWARD -p udp --dport 11 -j CHECKSUM --checksum-fill
        -A FORWARD -p udp --dport 12 -j NFLOG --nflog-prefix x --nflog-group 3
        -A FORWARD -p tcp --dport 80 --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1000
        -A FORWARD -p tcp --dport 81 --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu
        -A FORWARD -j LOG --log-prefix "fwd " --log-tcp-options
        COMMIT
        """;

    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");

    [KernelFact]
    public void TosDscpMarkChecksumNflog_ForwardedFramesLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules);
        byte[] tosValues = [0x00, 0x03, 0x10, 0x1F, 0xB8, 0xFF];
        for (ushort port = 1; port <= 12; port++)
        {
            foreach (byte tos in tosValues)
            {
                var ip = new IpFields(s_client, s_server) { Tos = tos, Id = (ushort)(port * 977 + tos * 13) };
                lab.InjectDatagram("eth0", PacketBuilder.Udp(ip, 4000, port, "payload"u8), $"UDP to {port}, TOS {tos:x2}");
                Assert.Single(lab.LastFrames);
            }
        }

        lab.AssertCounters();
    }

    [KernelFact]
    public void TosChecksums_ManyIdentifications_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules);
        for (int i = 0; i < 64; i++)
        {
            // Identifications chosen to walk the header checksum through values near 0x0000 and 0xFFFF.
            var ip = new IpFields(s_client, s_server) { Tos = (byte)(i * 4), Id = (ushort)(0xFFFF - i * 1031), Ttl = (byte)(2 + i) };
            lab.InjectDatagram("eth0", PacketBuilder.Udp(ip, 4000, (ushort)(1 + i % 7), "x"u8), $"UDP {i}");
        }
    }

    [KernelFact]
    public void Tcpmss_SetClampInsert_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules);
        var ip = new IpFields(s_client, s_server) { DontFragment = true };
        foreach (ushort port in new ushort[] { 80, 81 })
        {
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 64240,
                [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7]), $"SYN MSS 1460 to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 64240, [2, 4, 3, 132]), $"SYN MSS 900 to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 64240, [1, 1, 2, 4, 35, 40]), $"SYN MSS 9000 after NOPs to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1), $"SYN without options to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 1000, [1, 1, 4, 2]), $"SYN with other options to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 1000, payload: "data"u8), $"SYN with data to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn | TcpHeader.Ack, 1, 2, 1000, [2, 4, 255, 255]), $"SYN-ACK to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 1000, new byte[40]), $"SYN with 40 bytes of options to {port}");
            lab.InjectDatagram("eth0", PacketBuilder.Tcp(ip, 5000, port, TcpHeader.Syn, 1, 0, 1000, [0, 0, 0, 0]), $"SYN with end of options to {port}");
        }

        lab.AssertCounters();
    }
}
