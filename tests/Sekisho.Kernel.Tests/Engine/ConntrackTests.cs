using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// Connection tracking against the kernel's nf_conntrack: states the matches see (counted by rules), the table
/// <c>conntrack -L</c> shows, and the frames that come out. Traffic is forwarded by a router, so that the host's
/// own stack plays no part.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class ConntrackTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly IpFields s_toServer = new(s_client, s_server) { Id = 1, DontFragment = true };
    private static readonly IpFields s_toClient = new(s_server, s_client) { Id = 2, DontFragment = true };

    // One counting rule per state, direction and status the conntrack match tells apart.
    private const string StateCountingRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate INVALID
        -A FORWARD -m state --state NEW
        -A FORWARD -m state --state ESTABLISHED
        -A FORWARD -m state --state RELATED
        -A FORWARD -m state --state UNTRACKED
        -A FORWARD -m conntrack --ctstate ESTABLISHED --ctdir REPLY
        -A FORWARD -m conntrack --ctstate ESTABLISHED --ctdir ORIGINAL
        -A FORWARD -m conntrack --ctstatus ASSURED
        -A FORWARD -m conntrack --ctstatus SEEN_REPLY
        -A FORWARD -m conntrack ! --ctstatus CONFIRMED
        -A FORWARD -m conntrack --ctproto tcp --ctorigsrc 10.0.1.0/24 --ctrepldst 10.0.1.2 --ctorigdstport 80
        -A FORWARD -m conntrack --ctproto udp --ctreplsrcport 53 --ctrepldstport 40000:40010
        -A FORWARD -m conntrack --ctexpire 100:500000
        -A FORWARD -m conntrack ! --ctorigdst 10.0.2.2
        COMMIT
        """;

    [KernelFact]
    public void Tcp_HandshakeDataAndFinClose_StatesAndTableLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0));
        lab.AssertConntrack("SYN");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001));
        lab.AssertConntrack("SYN/ACK");
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1001, 5001));
        Assert.Contains("ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=80 src=10.0.2.2 dst=10.0.1.2 sport=80 dport=40000 [ASSURED] mark=0 use=1",
            lab.AssertConntrack("ACK"), StringComparison.Ordinal);
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Psh | TcpHeader.Ack, 1001, 5001, "hello"u8));
        lab.AssertConntrack("data");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Ack, 5001, 1006));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Fin | TcpHeader.Ack, 1006, 5001));
        lab.AssertConntrack("FIN");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Ack, 5001, 1007));
        lab.AssertConntrack("ACK of FIN");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Fin | TcpHeader.Ack, 5001, 1007));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1007, 5002));
        Assert.Contains(" TIME_WAIT ", lab.AssertConntrack("last ACK"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_ResetAndReopen_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1001, 5001));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Rst, 5001, 0));
        lab.AssertConntrack("RST");
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1001, 5001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 90000, 0));
        lab.AssertConntrack("SYN after RST");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_RstAnsweringSyn_RemovesEntryLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Rst | TcpHeader.Ack, 0, 1001));
        lab.AssertConntrack("RST/ACK answering SYN");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_InvalidSegments_CountedAsInvalidLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);

        // A SYN/ACK, a FIN and a bad flag combination start nothing.
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Fin, 1, 0, sourcePort: 41000));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn | TcpHeader.Fin, 1, 0, sourcePort: 41001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn | TcpHeader.Rst, 1, 0, sourcePort: 41002));
        lab.AssertConntrack("invalid starts");

        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1001, 5001));

        // Out of window: sequence far beyond the receiver's window, an ACK of data never sent, an ACK in SYN_SENT.
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Psh | TcpHeader.Ack, 1001 + 10_000_000, 5001, "x"u8));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Ack, 5001, 900_000));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 2001, 5001, sourcePort: 42000));
        lab.AssertConntrack("out of window");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_MidstreamPickupAndSynAckRetransmission_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 777, 888, "abc"u8));
        lab.AssertConntrack("picked up");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Ack, 888, 780));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 780, 888));
        lab.AssertConntrack("answered");
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0, sourcePort: 43000));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001, destinationPort: 43000));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001, destinationPort: 43000));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0, sourcePort: 43000));
        lab.AssertConntrack("retransmissions");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_ReopenFromTimeWaitIgnoredSynAndRetransmissions_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        Handshake(lab, 1000, 5000);

        // A SYN inside an established connection is ignored (let through, state unchanged).
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 123456, 0));
        lab.AssertConntrack("ignored SYN");

        // The same ACK three times, then four: retransmissions shorten the timeout.
        for (int i = 0; i < 5; i++)
        {
            lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1001, 5001));
        }

        lab.AssertConntrack("retransmitted ACKs");
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Fin | TcpHeader.Ack, 1001, 5001));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Fin | TcpHeader.Ack, 5001, 1002));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 1002, 5002));
        lab.AssertConntrack("TIME_WAIT");

        // A new SYN on the same ports reopens the connection (the old entry goes, a new one starts).
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 70000, 0));
        lab.AssertConntrack("reopened");
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 9000, 70001));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, 70001, 9001));
        lab.AssertConntrack("established again");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Tcp_WindowScaleSackAndSimultaneousOpen_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        byte[] options = [2, 4, 0x05, 0xb4, 4, 2, 1, 3, 3, 7];
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(s_toServer, 40000, 80, TcpHeader.Syn, 1000, 0, 64240, options));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(s_toClient, 80, 40000, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001, 65160, options));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(s_toServer, 40000, 80, TcpHeader.Ack, 1001, 5001, 502));

        // With a scale of 7 the window is 502 * 128 bytes: data at its far edge is in window, beyond it is not.
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(s_toClient, 80, 40000, TcpHeader.Ack | TcpHeader.Psh, 5001, 1001, 509,
            payload: new byte[1000]));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(s_toClient, 80, 40000, TcpHeader.Ack | TcpHeader.Psh, 5001 + 64000, 1001, 509,
            payload: new byte[100]));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(s_toClient, 80, 40000, TcpHeader.Ack | TcpHeader.Psh, 5001 + 70000, 1001, 509,
            payload: new byte[100]));

        // A selective acknowledgment beyond what was sent is over the upper bound.
        byte[] sack = [1, 1, 5, 10, 0, 0, 0x13, 0x89, 0, 0, 0x17, 0x71];
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(s_toServer, 40000, 80, TcpHeader.Ack, 1001, 5001, 502, sack));
        byte[] farSack = [1, 1, 5, 10, 0, 0, 0x13, 0x89, 0, 0x10, 0, 0];
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(s_toServer, 40000, 80, TcpHeader.Ack, 1001, 5001, 502, farSack));
        lab.AssertConntrack("scaled window");

        // Simultaneous open: both sides send a SYN.
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 2000, 0, sourcePort: 45000, destinationPort: 45001));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn, 8000, 0, sourcePort: 45001, destinationPort: 45000));
        lab.AssertConntrack("SYN both ways");
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn | TcpHeader.Ack, 2000, 8001, sourcePort: 45000, destinationPort: 45001));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, 8000, 2001, sourcePort: 45001, destinationPort: 45000));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Ack, 8001, 2001, sourcePort: 45001, destinationPort: 45000));
        lab.AssertConntrack("simultaneous open");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Udp_FlowBothWaysAndIcmpErrorRelated_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        var query = PacketBuilder.Udp(s_toServer, 40000, 53, "query"u8);
        lab.InjectDatagram("eth0", query);
        lab.AssertConntrack("query");
        lab.InjectDatagram("eth1", PacketBuilder.Udp(s_toClient, 53, 40000, "answer"u8));
        lab.AssertConntrack("answer");
        lab.InjectDatagram("eth0", PacketBuilder.Udp(s_toServer, 40000, 53, "again"u8));

        // The server's port unreachable for a second flow quotes the datagram as the server got it (TTL one less).
        var second = PacketBuilder.Udp(s_toServer with { Ttl = 63 }, 40001, 54, "x"u8);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(s_toServer, 40001, 54, "x"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Icmp(s_toClient with { DontFragment = false }, 3, 3, 0, second.AsSpan(0, 28)));

        // An error in the original direction (the client quoting the server's datagram) is RELATED too.
        var fromServer = PacketBuilder.Udp(s_toClient with { Ttl = 63 }, 54, 40001, "y"u8);
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(s_toServer with { DontFragment = false }, 3, 3, 0, fromServer.AsSpan(0, 28)));

        // An error quoting a flow nobody saw, and one addressed elsewhere than the quoted flow's source.
        var unknown = PacketBuilder.Udp(s_toServer with { Ttl = 63 }, 40002, 55, "x"u8);
        lab.InjectDatagram("eth1", PacketBuilder.Icmp(s_toClient with { DontFragment = false }, 3, 3, 0, unknown.AsSpan(0, 28)));
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(s_toServer with { DontFragment = false }, 3, 3, 0, second.AsSpan(0, 28)));
        lab.AssertConntrack("ICMP errors");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Icmp_EchoRequestAndReply_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(s_toServer, 7, 1, new byte[16]));
        lab.AssertConntrack("request");
        lab.InjectDatagram("eth1", PacketBuilder.Echo(s_toClient, 7, 1, new byte[16], reply: true));
        lab.AssertConntrack("reply");
        lab.InjectDatagram("eth1", PacketBuilder.Echo(s_toClient, 9, 1, new byte[16], reply: true));
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(s_toServer, 13, 0, 0x00050001, new byte[12]));
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(s_toServer, 42, 0));
        lab.InjectDatagram("eth0", PacketBuilder.Icmp(s_toServer, 9, 0));
        lab.AssertConntrack("other types");
        lab.AssertCounters();
    }

    [KernelFact]
    public void BadTransportChecksums_InvalidAtPrerouting_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        var syn = Tcp(true, TcpHeader.Syn, 1000, 0);
        syn[20 + 16] ^= 0x55;
        lab.InjectDatagram("eth0", syn);
        var udp = PacketBuilder.Udp(s_toServer, 40000, 53, "bad"u8);
        udp[20 + 6] ^= 0x55;
        lab.InjectDatagram("eth0", udp);
        var noChecksum = PacketBuilder.Udp(s_toServer, 40001, 53, "none"u8);
        noChecksum[20 + 6] = 0;
        noChecksum[20 + 7] = 0;
        lab.InjectDatagram("eth0", noChecksum);
        var echo = PacketBuilder.Echo(s_toServer, 5, 1, new byte[8]);
        echo[20 + 2] ^= 0x55;
        lab.InjectDatagram("eth0", echo);
        lab.AssertConntrack("bad checksums");
        lab.AssertCounters();
    }

    [KernelFact]
    public void OtherProtocols_TrackedByAddressLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StateCountingRules);
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(s_toServer, 99, "payload"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Ipv4(s_toClient, 99, "payload"u8));
        lab.AssertConntrack("protocol 99");
        byte[] gre = [0, 0, 0x08, 0x00, 0x45, 0, 0, 20];
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(s_toServer, 47, gre));
        lab.AssertConntrack("GRE");
        lab.InjectDatagram("eth1", PacketBuilder.Ipv4(s_toClient, 47, gre));
        Assert.Contains("gre      47 ", lab.AssertConntrack("GRE answered"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Raw_NotrackAndCtNotrack_Untracked()
    {
        const string rules = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p udp -j NOTRACK
            -A PREROUTING -p icmp -j CT --notrack
            -A PREROUTING -p 99 -j CT --zone 7
            COMMIT
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state UNTRACKED
            -A FORWARD -m state --state NEW
            -A FORWARD -m conntrack --ctstate INVALID
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        lab.InjectDatagram("eth0", PacketBuilder.Udp(s_toServer, 40000, 53, "q"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(s_toClient, 53, 40000, "a"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Echo(s_toServer, 7, 1));
        lab.InjectDatagram("eth0", PacketBuilder.Ipv4(s_toServer, 99, "zone"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Ipv4(s_toClient, 99, "zone"u8));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0));
        Assert.Contains("zone=7", lab.AssertConntrack("notrack"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Connmark_SetSaveRestoreAndMatch_LikeKernel()
    {
        const string rules = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 53 -j CONNMARK --set-xmark 0x15/0xff
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 54 -j CONNMARK --set-mark 0x3
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 54 -j CONNMARK --or-mark 0x100
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 54 -j CONNMARK --xor-mark 0x1
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 54 -j CONNMARK --and-mark 0xfff0f
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 55 -j CONNMARK --set-mark 0xf0 --mask 0xff
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 56 -j CONNMARK --save-mark
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 57 -j CONNMARK --set-mark 0x40
            -A PREROUTING -m conntrack --ctproto udp --ctorigdstport 57 -j CONNMARK --restore-mark --mask 0xf0
            -A FORWARD -m connmark --mark 0x15
            -A FORWARD -m connmark --mark 0x2/0xf
            -A FORWARD -m connmark ! --mark 0x0
            -A FORWARD -m connmark --mark 0xf0/0xf0
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        foreach (ushort port in new ushort[] { 53, 54, 55, 56, 57 })
        {
            lab.InjectDatagram("eth0", PacketBuilder.Udp(s_toServer, 40000, port, "m"u8));
        }

        lab.InjectDatagram("eth1", PacketBuilder.Udp(s_toClient, 53, 40000, "r"u8));
        Assert.Contains("mark=21", lab.AssertConntrack("marks"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Connlimit_ThirdConnectionDropped_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -p tcp -m conntrack --ctstate NEW -m connlimit --connlimit-above 2 --connlimit-mask 24 -j DROP
            -A FORWARD -p tcp -m conntrack --ctstate NEW -m connlimit --connlimit-upto 1 --connlimit-daddr
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        for (ushort port = 44000; port < 44004; port++)
        {
            lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0, sourcePort: port));
        }

        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, 1000, 0, sourcePort: 44000));
        lab.AssertConntrack("connlimit");
        lab.AssertCounters();
    }

    [KernelFact]
    public void LocalHost_EchoAndResetThroughInputAndOutput_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT DROP [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
            -A INPUT -p icmp -j ACCEPT
            -A INPUT -p tcp -m conntrack --ctstate NEW -j ACCEPT
            -A OUTPUT -m state --state NEW
            -A OUTPUT -m state --state ESTABLISHED
            -A OUTPUT -m state --state RELATED
            -A OUTPUT -m state --state INVALID
            COMMIT
            """;
        using var lab = new LabPair(LabHost.SeedServer1(), rules);
        var toServer = new IpFields(Ipv4Address.Parse("10.1.77.146"), Ipv4Address.Parse("10.1.51.165")) { Id = 9, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Echo(toServer, 0x1234, 1, new byte[32]));
        Assert.Single(lab.LastFrames);
        lab.AssertConntrack("echo");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer, 50000, 22, TcpHeader.Syn, 1000, 0, 29200));
        Assert.Single(lab.LastFrames);
        lab.AssertConntrack("SYN to a closed port");
        lab.AssertCounters();
    }

    private static void Handshake(LabPair lab, uint client, uint server)
    {
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Syn, client, 0));
        lab.InjectDatagram("eth1", Tcp(false, TcpHeader.Syn | TcpHeader.Ack, server, client + 1));
        lab.InjectDatagram("eth0", Tcp(true, TcpHeader.Ack, client + 1, server + 1));
    }

    private static byte[] Tcp(bool toServer, byte flags, uint sequence, uint acknowledgment, ReadOnlySpan<byte> payload = default,
        ushort sourcePort = 0, ushort destinationPort = 0)
    {
        return toServer
            ? PacketBuilder.Tcp(s_toServer, sourcePort == 0 ? (ushort)40000 : sourcePort, destinationPort == 0 ? (ushort)80 : destinationPort,
                flags, sequence, acknowledgment, 29200, payload: payload)
            : PacketBuilder.Tcp(s_toClient, sourcePort == 0 ? (ushort)80 : sourcePort, destinationPort == 0 ? (ushort)40000 : destinationPort,
                flags, sequence, acknowledgment, 28960, payload: payload);
    }
}
