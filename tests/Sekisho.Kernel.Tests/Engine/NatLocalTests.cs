using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// NAT of traffic that starts or ends at the host itself, against the kernel's: datagrams sent by a process of the
/// host (a raw or UDP socket in the kernel's namespace, <c>NetNamespace.Send</c> in Sekisho's) through the nat
/// table's OUTPUT and POSTROUTING, and datagrams delivered to it through INPUT. A router between a client network
/// (eth0, 10.0.1.0/24) and a server network (eth1, 10.0.2.0/24); the frames leaving, the counters of every rule and
/// both tuples of every conntrack entry must be the kernel's.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class NatLocalTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly Ipv4Address s_routerClientSide = Ipv4Address.Parse("10.0.1.1");
    private static readonly Ipv4Address s_routerServerSide = Ipv4Address.Parse("10.0.2.1");

    // Counting rules in every chain the packets pass, by interface, so that the counters show which way each took.
    private static string Rules(string nat, string filter = "") => $"""
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A OUTPUT -o eth0
        -A OUTPUT -o eth1
        -A OUTPUT -o lo
        -A POSTROUTING -o eth0
        -A POSTROUTING -o eth1
        -A POSTROUTING -o lo
        -A INPUT -i lo
        COMMIT
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        {nat}
        -A POSTROUTING -o eth0
        -A POSTROUTING -o eth1
        -A POSTROUTING -o lo
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m conntrack --ctstate DNAT
        -A INPUT -m conntrack --ctstate SNAT
        -A INPUT -m state --state RELATED
        -A OUTPUT -o eth0
        -A OUTPUT -o eth1
        -A OUTPUT -o lo
        -A OUTPUT -m conntrack --ctstate DNAT
        -A OUTPUT -m state --state RELATED
        {filter}
        COMMIT
        """;

    [KernelFact]
    public void DnatOutput_UdpFromBoundSocket_LeavesByTheNewDestinationsRoute()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -d 10.0.1.2 -p udp --dport 53 -j DNAT --to-destination 10.0.2.2:5353"));
        lab.SendUdp(s_routerClientSide, 4000, s_client, 53, "query"u8.ToArray());
        var sent = Assert.Single(lab.LastFrames);
        Assert.Equal("eth1", sent.Interface);
        Assert.Equal(s_server, Ipv4Address.Read(sent.Bytes.AsSpan(14 + 16)));

        // The answer is un-translated and delivered; nobody listens any more: the port unreachable goes back to the
        // server, translated as the connection's.
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, s_routerClientSide) { Id = 9, DontFragment = true }, 5353, 4000, "answer"u8));
        Assert.Contains("src=10.0.2.2 dst=10.0.1.1 sport=5353 dport=4000", lab.AssertConntrack("dnat output"), StringComparison.Ordinal);
        var counters = lab.AssertCounters();

        // The hook's output device stays the first route's (filter OUTPUT saw eth0); POSTROUTING sees the new one.
        Assert.Contains("[1:33] -A POSTROUTING -o eth1", counters, StringComparison.Ordinal);
    }

    [KernelFact]
    public void DnatOutput_TcpFromRawSocket_ToRemoteAndToLocalAddress_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -d 10.0.1.2 -p tcp --dport 80 -j DNAT --to-destination 10.0.2.2:8080\n" +
            "-A OUTPUT -d 10.0.1.2 -p tcp --dport 81 -j DNAT --to-destination 10.0.2.1:22\n" +
            "-A OUTPUT -d 10.0.2.1 -p tcp --dport 82 -j DNAT --to-destination 10.0.1.2"));
        var toClient = new IpFields(s_routerClientSide, s_client) { Id = 0x1234, DontFragment = true };
        lab.Send(PacketBuilder.Tcp(toClient, 40000, 80, TcpHeader.Syn, 1000, 0, 29200));
        Assert.Equal("eth1", Assert.Single(lab.LastFrames).Interface);
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(new IpFields(s_server, s_routerClientSide) { Id = 7, DontFragment = true },
            8080, 40000, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001, 29200));

        // From a destination behind lo to one behind eth0.
        lab.Send(PacketBuilder.Tcp(new IpFields(s_routerClientSide, s_routerServerSide) { Id = 0x1236, DontFragment = true }, 40002, 82, TcpHeader.Syn, 3000, 0, 29200));
        Assert.Equal("eth0", Assert.Single(lab.LastFrames).Interface);

        // To one of the host's own addresses: looped back through lo; the closed port's reset goes back through it
        // too, un-translated. Nothing reaches the wire.
        lab.Send(PacketBuilder.Tcp(toClient with { Id = 0x1235 }, 40001, 81, TcpHeader.Syn, 2000, 0, 29200));
        Assert.Empty(lab.LastFrames);
        lab.AssertConntrack("dnat output tcp");
        lab.AssertCounters();
    }

    [KernelFact]
    public void DnatOutput_ToAnUnroutableDestination_DroppedLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A OUTPUT -d 10.0.1.2 -p udp -j DNAT --to-destination 192.0.2.1"));
        lab.Send(PacketBuilder.Udp(new IpFields(s_routerClientSide, s_client) { Id = 0x6000, DontFragment = true }, 4000, 53, "q"u8));
        Assert.Empty(lab.LastFrames);
        lab.AssertConntrack("unroutable");
        lab.AssertCounters();
    }

    [KernelFact]
    public void DnatOutputThenMasquerade_SourceOfTheNewOutputDevice_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -d 10.0.1.2 -p udp --dport 53 -j DNAT --to-destination 10.0.2.2\n" +
            "-A POSTROUTING -o eth1 -j MASQUERADE"));
        lab.SendUdp(s_routerClientSide, 4000, s_client, 53, "q"u8.ToArray());
        var sent = Assert.Single(lab.LastFrames);
        Assert.Equal(s_routerServerSide, Ipv4Address.Read(sent.Bytes.AsSpan(14 + 12)));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, s_routerServerSide) { Id = 5, DontFragment = true }, 53, 4000, "a"u8));
        lab.AssertConntrack("dnat and masquerade");
        lab.AssertCounters();
    }

    [KernelFact]
    public void DnatOutput_TcpHandshakeDataAndClose_AndPing_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -d 10.0.1.2 -j DNAT --to-destination 10.0.2.2\n" +
            "-A POSTROUTING -o eth1 -p icmp -j SNAT --to-source 10.0.2.1"));
        var outbound = new IpFields(s_routerClientSide, s_client) { Id = 0x100, DontFragment = true };
        var inbound = new IpFields(s_server, s_routerClientSide) { Id = 0x200, DontFragment = true };
        lab.Send(PacketBuilder.Tcp(outbound, 45000, 22, TcpHeader.Syn, 100, 0, 64240));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(inbound, 22, 45000, TcpHeader.Syn | TcpHeader.Ack, 900, 101, 64240));
        lab.Send(PacketBuilder.Tcp(outbound with { Id = 0x101 }, 45000, 22, TcpHeader.Ack, 101, 901, 64240));
        lab.Send(PacketBuilder.Tcp(outbound with { Id = 0x102 }, 45000, 22, TcpHeader.Ack | TcpHeader.Psh, 101, 901, 64240, payload: "SSH-2.0\r\n"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(inbound with { Id = 0x201 }, 22, 45000, TcpHeader.Ack, 901, 110, 64240));
        lab.Send(PacketBuilder.Tcp(outbound with { Id = 0x103 }, 45000, 22, TcpHeader.Fin | TcpHeader.Ack, 110, 901, 64240));
        Assert.Equal(s_server, Ipv4Address.Read(Assert.Single(lab.LastFrames).Bytes.AsSpan(14 + 16)));

        // A ping, translated twice (destination at OUTPUT, source at POSTROUTING), and its reply.
        lab.Send(PacketBuilder.Echo(new IpFields(s_routerClientSide, s_client) { Id = 0x300 }, 0x4242, 1, "ping"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Echo(new IpFields(s_server, s_routerServerSide) { Id = 0x301 }, 0x4242, 1, "ping"u8, reply: true));
        lab.AssertConntrack("tcp and ping");
        lab.AssertCounters();
    }

    [KernelFact]
    public void SnatPostrouting_LargeUdpFromSocket_TranslatedThenFragmented_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -p udp -j SNAT --to-source 10.0.2.1:30000"));
        var payload = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        lab.SendUdp(s_routerClientSide, 4000, s_server, 53, payload);
        Assert.Equal(3, lab.LastFrames.Count);
        lab.AssertConntrack("fragments");
        lab.AssertCounters();
    }

    [KernelFact]
    public void ImplicitSourcePortRemap_HostSocketClashesWithAMasqueradedFlow_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -s 10.0.1.0/24 -j MASQUERADE"));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = 1, DontFragment = true }, 5000, 53, "q"u8));
        Assert.Equal(5000, SourcePort(Assert.Single(lab.LastFrames).Bytes[14..]));

        // The host's own socket 10.0.2.1:5000 to the same server port: its answer would be the masqueraded flow's.
        lab.Kernel.SendUdp(s_routerServerSide, 5000, s_server, 53, "r"u8.ToArray(), LabSender.Root);
        lab.Sekisho.SendUdp(s_routerServerSide, 5000, s_server, 53, "r"u8.ToArray(), LabSender.Root);
        var k = Assert.Single(lab.Kernel.TakeFrames()).Bytes[14..];
        var s = Assert.Single(lab.Sekisho.TakeFrames()).Bytes[14..];
        Assert.NotEqual(5000, SourcePort(k));
        Assert.NotEqual(5000, SourcePort(s));
        Assert.InRange(SourcePort(s), (ushort)1024, (ushort)65535);
        Assert.Equal(MaskSourcePort(k), MaskSourcePort(s));
        lab.AssertConntrack(MaskRemappedPort, "implicit remap");
        lab.AssertCounters();
    }

    // conntrack -L without timeouts, the reply's destination port of the host's own flow masked, sorted.
    private static string MaskRemappedPort(string listing) => string.Join('\n', listing
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => System.Text.RegularExpressions.Regex.Replace(
            string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i != 2)),
            @"(src=10\.0\.2\.2 dst=10\.0\.2\.1 sport=53 dport=)(?!5000\b)\d+", "${1}*"))
        .Order(StringComparer.Ordinal));

    [KernelFact]
    public void DnatOutput_RejectedInFilterOutput_ErrorLoopsBackTranslated_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -d 10.0.1.2 -p udp -j DNAT --to-destination 10.0.2.2:7\n" +
            "-A OUTPUT -d 10.0.1.3 -p udp -j REDIRECT",
            "-A OUTPUT -d 10.0.2.2 -p udp -j REJECT\n" +
            "-A OUTPUT -o lo -p icmp\n" +
            "-A INPUT -p icmp -m state --state RELATED"));
        lab.SendUdp(s_routerClientSide, 4000, s_client, 53, "q"u8.ToArray());
        Assert.Empty(lab.LastFrames);
        lab.SendUdp(s_routerClientSide, 4001, Ipv4Address.Parse("10.0.1.3"), 54, "r"u8.ToArray());
        Assert.Empty(lab.LastFrames);
        lab.AssertConntrack("rejected after dnat");
        lab.AssertCounters();
    }

    [KernelFact]
    public void RedirectOutput_UdpAndTcp_LoopedToTheLocalPort_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports 5353\n" +
            "-A OUTPUT -p tcp --dport 80 -j REDIRECT --to-ports 8080-8090"));
        lab.SendUdp(s_routerServerSide, 4000, s_server, 53, "query"u8.ToArray());
        Assert.Empty(lab.LastFrames);
        lab.Send(PacketBuilder.Tcp(new IpFields(s_routerClientSide, s_client) { Id = 0x2000, DontFragment = true }, 41000, 80, TcpHeader.Syn, 1, 0, 1000));
        Assert.Empty(lab.LastFrames);
        var listing = lab.AssertConntrack("redirect output");
        Assert.Contains("src=127.0.0.1 dst=10.0.2.1 sport=5353 dport=4000", listing, StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void LogUid_RedirectedDatagramOfAUser_OwnerInOutputNotAfterTheLoop_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -p udp --dport 53 -j REDIRECT --to-ports 5353",
            "-A OUTPUT -p udp -j LOG --log-prefix \"out \" --log-uid\n" +
            "-I INPUT -p udp -j LOG --log-prefix \"in \" --log-uid"));
        lab.Send(PacketBuilder.Udp(new IpFields(s_routerClientSide, s_server) { Id = 0x7000, DontFragment = true }, 4000, 53, "q"u8), new LabSender(1234, 4321));
        Assert.Equal(2, lab.LastLog.Count);
        Assert.Contains("UID=1234 GID=4321", lab.LastLog[0].Message, StringComparison.Ordinal);
        Assert.DoesNotContain("UID=", lab.LastLog[1].Message, StringComparison.Ordinal);
        lab.AssertConntrack("log uid");
        lab.AssertCounters();
    }

    [KernelFact]
    public void SnatInput_LocallyDeliveredPackets_AnswersTranslatedBack_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A INPUT -s 10.0.1.2 -p udp -j SNAT --to-source 10.0.2.99:7000\n" +
            "-A INPUT -s 10.0.1.2 -p tcp -j SNAT --to-source 10.0.1.77"));
        var toRouter = new IpFields(s_client, s_routerClientSide) { Id = 1, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Udp(toRouter, 5000, 9, "discard"u8));
        var unreachable = Assert.Single(lab.LastFrames).Bytes.AsSpan(14);
        Assert.Equal(s_client, Ipv4Address.Read(unreachable[16..]));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toRouter with { Id = 2 }, 40000, 23, TcpHeader.Syn, 1, 0, 1000));
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(toRouter with { Id = 3 }, 0x77, 1, "ping"u8));

        // The host's datagram to itself got its (null) source binding at POSTROUTING: INPUT's rules are not consulted.
        lab.Send(PacketBuilder.Udp(new IpFields(s_routerClientSide, s_routerServerSide) { Id = 0x3000 }, 5001, 9, "self"u8));
        var listing = lab.AssertConntrack("snat input");
        Assert.Contains("src=10.0.1.1 dst=10.0.2.99 sport=9 dport=7000", listing, StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Netmap_PreroutingToLocal_InputOutputAndPostrouting_LikeKernel()
    {
        var host = LabHost.Router();
        host.Neighbours.Add((Ipv4Address.Parse("10.0.1.3"), MacAddress.Parse("0a:a2:e8:49:27:c5"), "eth0"));
        host.Routes.Add((Ipv4Address.Parse("10.0.4.0"), 24, s_client, "eth0"));
        using var lab = new LabPair(host, Rules(
            "-A OUTPUT -d 10.0.4.0/24 -j NETMAP --to 10.0.2.0/24\n" +
            "-A PREROUTING -i eth1 -d 10.0.3.0/24 -j NETMAP --to 10.0.1.0/24\n" +
            "-A INPUT -s 10.0.2.0/24 -j NETMAP --to 10.0.1.0/24\n" +
            "-A POSTROUTING -o eth1 -s 10.0.1.0/24 -j NETMAP --to 10.0.9.0/24"));
        lab.TranslatedHostAddresses.UnionWith([Ipv4Address.Parse("10.0.3.1"), Ipv4Address.Parse("10.0.9.1")]);

        // 10.0.3.1 maps to the host's own 10.0.1.1: delivered, with the source mapped at INPUT; the answers go back.
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, Ipv4Address.Parse("10.0.3.1")) { Id = 1 }, 1000, 2000, "in"u8));
        Assert.Equal(Ipv4Address.Parse("10.0.3.1"), Ipv4Address.Read(Assert.Single(lab.LastFrames).Bytes.AsSpan(14 + 12)));
        lab.InjectDatagram("eth1", PacketBuilder.Echo(new IpFields(s_server, Ipv4Address.Parse("10.0.3.1")) { Id = 2 }, 5, 1, "p"u8));

        // 10.0.3.3 maps to a client: forwarded. The host's own datagram leaves with its source mapped.
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, Ipv4Address.Parse("10.0.3.3")) { Id = 3 }, 1001, 2001, "fw"u8));
        lab.Send(PacketBuilder.Udp(new IpFields(s_routerClientSide, s_server) { Id = 0x4444 }, 3000, 4000, "out"u8));
        Assert.Equal(Ipv4Address.Parse("10.0.9.1"), Ipv4Address.Read(Assert.Single(lab.LastFrames).Bytes.AsSpan(14 + 12)));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, Ipv4Address.Parse("10.0.9.1")) { Id = 4 }, 4000, 3000, "back"u8));

        // Routed by eth0 first; NETMAP at OUTPUT maps 10.0.4.2 to the server, which eth1 reaches.
        lab.Send(PacketBuilder.Udp(new IpFields(s_routerClientSide, Ipv4Address.Parse("10.0.4.2")) { Id = 0x4445 }, 3001, 4001, "mapped"u8));
        Assert.Equal("eth1", Assert.Single(lab.LastFrames).Interface);
        lab.AssertConntrack("netmap local");
        lab.AssertCounters();
    }

    [KernelFact]
    public void OwnerOutput_UidAndGid_ChooseTheTranslationAndTheVerdict_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A OUTPUT -m owner --uid-owner 1000 -p udp -j DNAT --to-destination 10.0.2.2:1000\n" +
            "-A OUTPUT -m owner --gid-owner 2000-2010 -p udp -j DNAT --to-destination 10.0.2.2:2000\n" +
            "-A OUTPUT -m owner ! --uid-owner 0 -p udp -j DNAT --to-destination 10.0.2.2:3000",
            "-A OUTPUT -m owner --uid-owner 1001 -j DROP\n" +
            "-A OUTPUT -m owner --gid-owner 2005\n" +
            "-A OUTPUT -m owner --socket-exists\n" +
            "-A OUTPUT -m owner ! --uid-owner 5\n" +
            "-A OUTPUT -m owner --socket-exists --gid-owner 0\n" +
            "-A INPUT -p tcp --dport 24 -j REJECT --reject-with tcp-reset"));
        var datagram = PacketBuilder.Udp(new IpFields(s_routerClientSide, s_client) { Id = 0x5000 }, 6000, 53, "q"u8);
        lab.Send(datagram, new LabSender(1000, 1000));
        Assert.Equal(1000, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(Assert.Single(lab.LastFrames).Bytes.AsSpan(14 + 22)));
        lab.SendUdp(s_routerClientSide, 6001, s_client, 53, "q"u8.ToArray(), new LabSender(3000, 2005));
        lab.SendUdp(s_routerClientSide, 6002, s_client, 53, "q"u8.ToArray(), new LabSender(1001, 1001));
        Assert.Empty(lab.LastFrames);
        lab.SendUdp(s_routerClientSide, 6003, s_client, 53, "q"u8.ToArray());
        Assert.Equal("eth0", Assert.Single(lab.LastFrames).Interface);

        // What the stack sends itself (a reset to a closed port, an echo reply, a port unreachable) comes from a kernel
        // socket: one without an owner. REJECT's reset comes from no socket at all.
        var toHost = new IpFields(s_client, s_routerClientSide) { Id = 1, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toHost, 999, 23, TcpHeader.Syn, 1, 0, 1000));
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", PacketBuilder.Echo(toHost with { Id = 2 }, 9, 1, "p"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(toHost with { Id = 3 }, 999, 9, "u"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toHost with { Id = 4 }, 999, 24, TcpHeader.Syn, 1, 0, 1000));
        Assert.Single(lab.LastFrames);
        lab.AssertConntrack("owner");
        lab.AssertCounters();
    }

    [KernelTheory]
    [InlineData("--random")]
    [InlineData("--random-fully")]
    public void SnatRandom_LocalAndForwarded_AllButThePortLikeKernel_PortsInRangeAndUnique(string flag)
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            $"-A POSTROUTING -o eth1 -p udp -j SNAT --to-source 10.0.2.1:20000-20011 {flag}\n" +
            $"-A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 10.0.2.1:20000-20011 {flag}"));
        var kernelSent = new List<byte[]>();
        var sekishoSent = new List<byte[]>();
        for (int i = 0; i < 6; i++)
        {
            // From a client (forwarded) and from the host, UDP and TCP, the source ports outside the range.
            var forwarded = lab.Host.FrameTo("eth0", PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = (ushort)(i + 1), DontFragment = true },
                (ushort)(5000 + i), 53, "q"u8));
            var syn = PacketBuilder.Tcp(new IpFields(s_routerClientSide, s_server) { Id = (ushort)(0x100 + i), DontFragment = true },
                (ushort)(6000 + i), 80, TcpHeader.Syn, 1, 0, 1000);
            lab.Kernel.Inject("eth0", forwarded);
            lab.Sekisho.Inject("eth0", forwarded);
            lab.Kernel.Send(syn, LabSender.Root);
            lab.Sekisho.Send(syn, LabSender.Root);
            lab.Kernel.SendUdp(s_routerClientSide, (ushort)(7000 + i), s_server, 53, "r"u8.ToArray(), LabSender.Root);
            lab.Sekisho.SendUdp(s_routerClientSide, (ushort)(7000 + i), s_server, 53, "r"u8.ToArray(), LabSender.Root);
            kernelSent.AddRange(lab.Kernel.TakeFrames().Select(f => f.Bytes[14..]));
            sekishoSent.AddRange(lab.Sekisho.TakeFrames().Select(f => f.Bytes[14..]));
        }

        Assert.Equal(18, kernelSent.Count);
        Assert.Equal(kernelSent.Select(MaskSourcePort), sekishoSent.Select(MaskSourcePort));
        foreach (var sent in new[] { kernelSent, sekishoSent })
        {
            var bindings = sent.Select(d => (d[9], Ipv4Address.Read(d.AsSpan(12)), SourcePort(d))).ToList();
            Assert.Equal(bindings.Count, bindings.Distinct().Count());
            Assert.All(bindings, b => Assert.InRange(b.Item3, (ushort)20000, (ushort)20011));
        }

        // Answers to each side's own bindings: forwarded back to the client identically; delivered to the host, whose
        // answers (a reset, a port unreachable) carry each side's own port, so only their number is compared.
        for (int i = 0; i < kernelSent.Count; i++)
        {
            lab.Kernel.Inject("eth1", lab.Host.FrameTo("eth1", Answer(kernelSent[i], (ushort)(50 + i))));
            lab.Sekisho.Inject("eth1", lab.Host.FrameTo("eth1", Answer(sekishoSent[i], (ushort)(50 + i))));
            var k = lab.Kernel.TakeFrames();
            var s = lab.Sekisho.TakeFrames();
            Assert.Equal(k.Where(f => f.Interface == "eth0").Select(f => f.ToString()), s.Where(f => f.Interface == "eth0").Select(f => f.ToString()));
            Assert.Equal(k.Count, s.Count);
        }

        lab.AssertConntrack(MaskTranslatedPorts, flag);
        lab.AssertCounters();
    }

    private static ushort SourcePort(byte[] datagram) => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(datagram.AsSpan(20));

    // The server's answer to a datagram: UDP back to its source, or the SYN-ACK of a SYN.
    private static byte[] Answer(byte[] sent, ushort id)
    {
        var fields = new IpFields(Ipv4Address.Read(sent.AsSpan(16)), Ipv4Address.Read(sent.AsSpan(12))) { Id = id, DontFragment = true };
        ushort port = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(sent.AsSpan(22));
        return sent[9] == 6
            ? PacketBuilder.Tcp(fields, port, SourcePort(sent), TcpHeader.Syn | TcpHeader.Ack, 99, 2, 1000)
            : PacketBuilder.Udp(fields, port, SourcePort(sent), "a"u8);
    }

    // The source port, the transport checksum that covers it and the identification (the kernel draws it for its
    // UDP sockets) masked.
    private static string MaskSourcePort(byte[] datagram)
    {
        var copy = (byte[])datagram.Clone();
        copy[4] = copy[5] = copy[10] = copy[11] = 0;
        copy[20] = copy[21] = 0;
        int checksum = copy[9] == 6 ? 36 : 26;
        copy[checksum] = copy[checksum + 1] = 0;
        return Convert.ToHexString(copy);
    }

    // conntrack -L with the timeouts dropped, the ports of the translated range masked, sorted.
    private static string MaskTranslatedPorts(string listing) => string.Join('\n', listing
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(l => System.Text.RegularExpressions.Regex.Replace(
            string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where((_, i) => i != 2)), @"dport=200[01]\d\b", "dport=*"))
        .Order(StringComparer.Ordinal));
}
