using System.Text.RegularExpressions;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// Seed document 000 on server 1, against the kernel: the LOG rule for server 2's pings, then DROP, then the
/// REJECT of ssh whose ICMP port unreachable passes OUTPUT and is logged there. Frames, LOG lines and counters
/// are compared with the kernel's at every step, and the LOG lines with the document's. The ruleset uses no
/// connection tracking.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed partial class SeedScenarioTests
{
    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address s_server2 = Ipv4Address.Parse("10.1.77.146");

    // What Linux puts in a SYN: MSS, SACK permitted, timestamps, NOP, window scale (LEN=60 in the document).
    private static readonly byte[] s_synOptions =
        [0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07];

    [KernelFact]
    public void SeedDocument000_LogDropReject_LikeKernelAndDocument()
    {
        const string empty = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            COMMIT
            """;
        using var lab = new LabPair(LabHost.SeedServer1(), empty);
        lab.Tool("iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix [INPUT]");

        // Three pings: logged as in the document and answered.
        ushort[] ids = [10084, 10928, 11195];
        for (int i = 0; i < ids.Length; i++)
        {
            var ip = new IpFields(s_server2, s_server1) { Id = ids[i], DontFragment = true };
            lab.InjectDatagram("eth0", PacketBuilder.Echo(ip, 1496, (ushort)(i + 1), new byte[56]), $"ping {i + 1}");
            Assert.Equal(
                $"[INPUT]IN=eth0 OUT= MAC=0a:11:d1:09:77:ce:0a:a2:e8:49:27:a3:08:00 SRC=10.1.77.146 DST=10.1.51.165 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID={ids[i]} DF PROTO=ICMP TYPE=8 CODE=0 ID=1496 SEQ={i + 1} ",
                Assert.Single(lab.LastLog).Message);
            Assert.Equal(4, Assert.Single(lab.LastLog).Level);
            Assert.Single(lab.LastFrames);
        }

        // DROP after LOG: still logged, no answer.
        lab.Tool("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP");
        var dropped = new IpFields(s_server2, s_server1) { Id = 11200, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Echo(dropped, 1496, 4, new byte[56]), "ping 4");
        Assert.Single(lab.LastLog);
        Assert.Empty(lab.LastFrames);

        // REJECT of ssh: the port unreachable goes through OUTPUT, where it is logged.
        lab.Tool("iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT");
        lab.Tool("iptables -A OUTPUT -p icmp -j LOG --log-prefix \"[OUTPUT] \"");
        var syn = new IpFields(s_server2, s_server1) { Id = 40037, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(syn, 55724, 22, TcpHeader.Syn, 0x5a3c1e01, 0, 26883, s_synOptions), "ssh SYN");
        var frame = Assert.Single(lab.LastFrames);
        Assert.Equal(14 + 88, frame.Bytes.Length);
        Assert.Equal(3, frame.Bytes[14 + 20]);
        Assert.Equal(3, frame.Bytes[14 + 21]);
        string logged = Assert.Single(lab.LastLog).Message;
        Assert.Matches(OutputLine(), logged);
        lab.AssertCounters("the document's session");
    }

    [GeneratedRegex(@"^\[OUTPUT\] IN= OUT=eth0 SRC=10\.1\.51\.165 DST=10\.1\.77\.146 LEN=88 TOS=0x00 PREC=0xC0 TTL=64 ID=\d+ PROTO=ICMP TYPE=3 CODE=3 \[SRC=10\.1\.77\.146 DST=10\.1\.51\.165 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=40037 DF PROTO=TCP SPT=55724 DPT=22 WINDOW=26883 RES=0x00 SYN URGP=0 \] $")]
    private static partial Regex OutputLine();
}
