using System.Buffers.Binary;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// NAT against the kernel's nf_nat: a router between a client network (eth0, 10.0.1.0/24) and a server network
/// (eth1, 10.0.2.0/24). The translated frames (checksums included), the counters and both tuples of every
/// conntrack entry must be the kernel's. Where the kernel draws a port at random (a clash), the port is masked
/// and the choices are checked for being in range and unique instead.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class NatTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly Ipv4Address s_router = Ipv4Address.Parse("10.0.2.1");

    private static string Rules(string nat, string filter = "") => $"""
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        {nat}
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m state --state NEW
        -A FORWARD -m state --state ESTABLISHED
        -A FORWARD -m state --state RELATED
        -A FORWARD -m conntrack --ctstate SNAT
        -A FORWARD -m conntrack --ctstate DNAT
        {filter}
        COMMIT
        """;

    [KernelFact]
    public void Masquerade_TcpUdpAndEcho_FramesConntrackAndCountersLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -j MASQUERADE"));
        var toServer = new IpFields(s_client, s_server) { Id = 1, DontFragment = true };
        var toRouter = new IpFields(s_server, s_router) { Id = 2, DontFragment = true };
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer, 40000, 80, TcpHeader.Syn, 1000, 0, 29200));
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(toRouter, 80, 40000, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001, 29200));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer, 40000, 80, TcpHeader.Ack, 1001, 5001, 29200));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(toServer, 40000, 80, TcpHeader.Ack | TcpHeader.Psh, 1001, 5001, 29200, payload: "hello"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(toServer, 5353, 53, "query"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(toRouter, 53, 5353, "answer"u8));
        lab.InjectDatagram("eth0", ZeroUdpChecksum(PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = 3 }, 5354, 53, "no checksum"u8)));
        lab.InjectDatagram("eth0", PacketBuilder.Echo(toServer, 0x1234, 1, "ping"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Echo(toRouter, 0x1234, 1, "ping"u8, reply: true));
        Assert.Contains("src=10.0.2.2 dst=10.0.2.1 sport=80 dport=40000", lab.AssertConntrack("masquerade"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Masquerade_IcmpErrorFromServer_TranslatedBackToClient()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -j MASQUERADE"));
        var query = PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = 7, DontFragment = true }, 5000, 53, "query"u8);
        lab.InjectDatagram("eth0", query);
        var translated = lab.LastFrames.Single().Bytes.AsSpan(14).ToArray();

        // The server answers with port unreachable, quoting the datagram it got (translated).
        var error = PacketBuilder.Icmp(new IpFields(s_server, s_router) { Id = 8 }, 3, 3, 0, translated);
        lab.InjectDatagram("eth1", error);
        var back = lab.LastFrames.Single().Bytes.AsSpan(14);
        Assert.Equal(s_client, Ipv4Address.Read(back[16..]));
        Assert.Equal(s_client, Ipv4Address.Read(back[(28 + 12)..]));

        // A TCP connection refused with a full quoted header (its checksum is fixed too).
        var syn = PacketBuilder.Tcp(new IpFields(s_client, s_server) { Id = 9, DontFragment = true }, 41000, 81, TcpHeader.Syn, 1, 0, 1000);
        lab.InjectDatagram("eth0", syn);
        translated = lab.LastFrames.Single().Bytes.AsSpan(14).ToArray();
        lab.InjectDatagram("eth1", PacketBuilder.Icmp(new IpFields(s_server, s_router) { Id = 10 }, 3, 13, 0, translated));
        lab.AssertConntrack("errors");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Dnat_PortForward_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A PREROUTING -i eth1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.1.2:80\n" +
            "-A PREROUTING -i eth1 -p udp --dport 5000:5010 -j DNAT --to-destination 10.0.1.2:6000-6010"));
        var inbound = new IpFields(s_server, s_router) { Id = 1, DontFragment = true };
        var outbound = new IpFields(s_client, s_server) { Id = 2, DontFragment = true };
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(inbound, 33000, 8080, TcpHeader.Syn, 100, 0, 29200));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(outbound, 80, 33000, TcpHeader.Syn | TcpHeader.Ack, 900, 101, 29200));
        lab.InjectDatagram("eth1", PacketBuilder.Tcp(inbound, 33000, 8080, TcpHeader.Ack, 101, 901, 29200));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(inbound, 7000, 5003, "x"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(inbound, 7001, 5003, "y"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(outbound, 6000, 7000, "z"u8));
        Assert.Contains("src=10.0.1.2 dst=10.0.2.2 sport=80 dport=33000", lab.AssertConntrack("port forward"), StringComparison.Ordinal);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Netmap_BothDirections_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A PREROUTING -i eth1 -d 10.0.3.0/24 -j NETMAP --to 10.0.1.0/24\n" +
            "-A POSTROUTING -o eth1 -s 10.0.1.0/24 -j NETMAP --to 10.0.9.0/24"));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, Ipv4Address.Parse("10.0.3.2")) { Id = 1 }, 1000, 2000, "in"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = 2 }, 3000, 4000, "out"u8));
        lab.InjectDatagram("eth1", PacketBuilder.Udp(new IpFields(s_server, Ipv4Address.Parse("10.0.9.2")) { Id = 3 }, 4000, 3000, "back"u8));
        lab.AssertConntrack("netmap");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Redirect_ToLocalPort_StackAnswersFromTheOriginalAddress()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 8080"));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(new IpFields(s_client, s_server) { Id = 1, DontFragment = true }, 40000, 80, TcpHeader.Syn, 1, 0, 1000));
        var reset = lab.LastFrames.Single().Bytes.AsSpan(14);
        Assert.Equal(s_server, Ipv4Address.Read(reset[12..]));
        lab.AssertConntrack("redirect");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Hairpin_DnatAndSnatOnTheSameInterface_LikeKernel()
    {
        var host = LabHost.Router();
        host.Neighbours.Add((Ipv4Address.Parse("10.0.1.3"), MacAddress.Parse("0a:a2:e8:49:27:c5"), "eth0"));
        using var lab = new LabPair(host, Rules(
            "-A PREROUTING -d 10.0.2.1 -p tcp --dport 8080 -j DNAT --to-destination 10.0.1.2:80\n" +
            "-A POSTROUTING -s 10.0.1.0/24 -d 10.0.1.2 -p tcp --dport 80 -j SNAT --to-source 10.0.1.1"));
        var third = Ipv4Address.Parse("10.0.1.3");
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(new IpFields(third, s_router) { Id = 1, DontFragment = true }, 45000, 8080, TcpHeader.Syn, 1, 0, 1000));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(new IpFields(s_client, Ipv4Address.Parse("10.0.1.1")) { Id = 2, DontFragment = true }, 80, 45000,
            TcpHeader.Syn | TcpHeader.Ack, 50, 2, 1000));
        lab.AssertConntrack("hairpin");
        lab.AssertCounters();
    }

    [KernelFact]
    public void Snat_AddressRange_ManyClientsSamePort_AddressesLikeKernelPortsUnique()
    {
        var host = LabHost.Router();
        var clients = Enumerable.Range(2, 12).Select(i => Ipv4Address.Parse($"10.0.1.{i}")).ToList();
        foreach (var client in clients.Skip(1))
        {
            host.Neighbours.Add((client, LabHost.PeerMac, "eth0"));
        }

        using var lab = new LabPair(host, Rules("-A POSTROUTING -o eth1 -p tcp -j SNAT --to-source 10.0.2.100-10.0.2.103:20000-20003"));
        var kernelSent = new List<byte[]>();
        var sekishoSent = new List<byte[]>();
        foreach (var client in clients)
        {
            var syn = PacketBuilder.Tcp(new IpFields(client, s_server) { Id = 1, DontFragment = true }, 40000, 80, TcpHeader.Syn, 1, 0, 1000);
            var frame = host.FrameTo("eth0", syn);
            lab.Kernel.Inject("eth0", frame);
            lab.Sekisho.Inject("eth0", frame);
            kernelSent.AddRange(lab.Kernel.TakeFrames().Select(f => f.Bytes[14..]));
            sekishoSent.AddRange(lab.Sekisho.TakeFrames().Select(f => f.Bytes[14..]));
        }

        static string Show(List<byte[]> sent) => string.Join(", ", sent.Select(d => $"{Ipv4Address.Read(d.AsSpan(12))}:{BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(20))}"));
        // 16 bindings for 12 clients: a fifth client hashed to a full address finds no free port, and its SYN is
        // dropped when its clashing entry is confirmed, by both.
        Assert.True(kernelSent.Count == sekishoSent.Count && kernelSent.Count >= clients.Count - 2, $"kernel {Show(kernelSent)}\nsekisho {Show(sekishoSent)}");
        for (int i = 0; i < kernelSent.Count; i++)
        {
            // The address is chosen by a hash of the addresses: the kernel's exactly. The port is random.
            Assert.Equal(Ipv4Address.Read(kernelSent[i].AsSpan(12)), Ipv4Address.Read(sekishoSent[i].AsSpan(12)));
            Assert.True(Checksum.Verify(sekishoSent[i].AsSpan(20), Checksum.PseudoHeader(Ipv4Address.Read(sekishoSent[i].AsSpan(12)), s_server, 6, sekishoSent[i].Length - 20)));
            Assert.Equal(MaskPort(kernelSent[i]), MaskPort(sekishoSent[i]));
        }

        foreach (var sent in new[] { kernelSent, sekishoSent })
        {
            var bindings = sent.Select(d => (Ipv4Address.Read(d.AsSpan(12)), BinaryPrimitives.ReadUInt16BigEndian(d.AsSpan(20)))).ToList();
            Assert.Equal(bindings.Count, bindings.Distinct().Count());
            Assert.All(bindings, b => Assert.InRange(b.Item2, (ushort)20000, (ushort)20003));
        }

        // The answers go back to each side's own bindings and come out identical, to the right clients.
        for (int i = 0; i < kernelSent.Count; i++)
        {
            var kernelAnswer = Answer(kernelSent[i]);
            var sekishoAnswer = Answer(sekishoSent[i]);
            lab.Kernel.Inject("eth1", host.FrameTo("eth1", kernelAnswer));
            lab.Sekisho.Inject("eth1", host.FrameTo("eth1", sekishoAnswer));
            var k = lab.Kernel.TakeFrames();
            var s = lab.Sekisho.TakeFrames();
            Assert.Equal(k.Select(f => Convert.ToHexString(f.Bytes)), s.Select(f => Convert.ToHexString(f.Bytes)));
            Assert.Contains(Ipv4Address.Read(k.Single().Bytes.AsSpan(14 + 16)), clients);
        }

        lab.AssertCounters();
    }

    [KernelFact]
    public void ImplicitSourcePortRemap_DnatOntoAnExistingFlow_SourcePortChangesLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A PREROUTING -d 10.0.2.99 -p tcp -j DNAT --to-destination 10.0.2.2"));
        lab.InjectDatagram("eth0", PacketBuilder.Tcp(new IpFields(s_client, s_server) { Id = 1, DontFragment = true }, 5000, 80, TcpHeader.Syn, 1, 0, 1000));
        var second = PacketBuilder.Tcp(new IpFields(s_client, Ipv4Address.Parse("10.0.2.99")) { Id = 2, DontFragment = true }, 5000, 80, TcpHeader.Syn, 7, 0, 1000);
        var frame = LabHost.Router().FrameTo("eth0", second);
        lab.Kernel.Inject("eth0", frame);
        lab.Sekisho.Inject("eth0", frame);
        var k = lab.Kernel.TakeFrames().Single().Bytes[14..];
        var s = lab.Sekisho.TakeFrames().Single().Bytes[14..];
        Assert.NotEqual(5000, BinaryPrimitives.ReadUInt16BigEndian(k.AsSpan(20)));
        Assert.NotEqual(5000, BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(20)));
        Assert.InRange(BinaryPrimitives.ReadUInt16BigEndian(s.AsSpan(20)), (ushort)1024, (ushort)65535);
        Assert.Equal(MaskPort(k), MaskPort(s));
        lab.AssertCounters();
    }

    [KernelFact]
    public void Sctp_PortsRewrittenWithTheCrc_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules(
            "-A PREROUTING -i eth0 -p sctp --dport 3868 -j DNAT --to-destination 10.0.2.2:3869\n" +
            "-A POSTROUTING -o eth1 -j MASQUERADE"));
        byte[] init = [1, 0, 0, 20, 0, 0, 0, 1, 0, 1, 0, 0, 0, 10, 0, 10, 0, 0, 0, 1];
        lab.InjectDatagram("eth0", PacketBuilder.Sctp(new IpFields(s_client, s_server) { Id = 1, DontFragment = true }, 7000, 3868, 0, init));
        Assert.Single(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Masquerade_AddressRemoved_ConnectionsDieLikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -j MASQUERADE"));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(s_client, s_server) { Id = 1, DontFragment = true }, 5000, 53, "q"u8));
        lab.InjectDatagram("eth0", PacketBuilder.Udp(new IpFields(s_client, Ipv4Address.Parse("10.0.1.1")) { Id = 2, DontFragment = true }, 5001, 53, "q"u8));
        Assert.Equal(2, lab.Sekisho.Net.Conntrack.Count);
        Assert.Equal(0, lab.Kernel.Run("ip", "addr", "del", "10.0.2.1/24", "dev", "eth1").ExitCode);
        lab.Sekisho.Net.Host.RemoveAddress(lab.Sekisho.Net.Host.FindDevice("eth1")!, s_router);

        // The kernel kills them from a work queue, a moment later: wait until it has (at most five seconds).
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (lab.Kernel.Conntrack().Contains("dport=5000", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(20);
        }

        Assert.DoesNotContain("dport=5000", lab.AssertConntrack("address removed"), StringComparison.Ordinal);
        Assert.Equal(1, lab.Sekisho.Net.Conntrack.Count);
    }

    [Fact]
    public void Trace_NatNote_ShowsTupleBeforeAndAfter()
    {
        using var lab = new SekishoLab(LabHost.Router(), Rules("-A POSTROUTING -o eth1 -j MASQUERADE\n-A PREROUTING -p udp --dport 54 -j DNAT --to-destination 10.0.2.2:53"));
        var recorder = new Sekisho.Netfilter.Tracing.TraceRecorder();
        lab.Net.Tracer = recorder;
        lab.Inject("eth0", LabHost.Router().FrameTo("eth0", PacketBuilder.Udp(new IpFields(s_client, Ipv4Address.Parse("10.0.2.9")) { Id = 1 }, 5000, 54, "q"u8)));
        var notes = recorder.Events.Where(e => e.Kind == Sekisho.Netfilter.Tracing.TraceEventKind.Nat).Select(e => e.Text).ToList();
        Assert.Equal(
            ["DNAT 10.0.1.2:5000 > 10.0.2.9:54 -> 10.0.1.2:5000 > 10.0.2.2:53", "SNAT 10.0.1.2:5000 > 10.0.2.2:53 -> 10.0.2.1:5000 > 10.0.2.2:53"],
            notes);
    }

    private static byte[] Answer(byte[] syn)
    {
        var source = Ipv4Address.Read(syn.AsSpan(12));
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(syn.AsSpan(20));
        return PacketBuilder.Tcp(new IpFields(s_server, source) { Id = 5, DontFragment = true }, 80, port, TcpHeader.Syn | TcpHeader.Ack, 99, 2, 1000);
    }

    // The source port and the TCP checksum (which covers it) masked.
    private static string MaskPort(byte[] datagram)
    {
        var copy = (byte[])datagram.Clone();
        copy[20] = copy[21] = 0;
        copy[36] = copy[37] = 0;
        return Convert.ToHexString(copy);
    }

    private static byte[] ZeroUdpChecksum(byte[] datagram)
    {
        datagram[26] = datagram[27] = 0;
        return datagram;
    }
}
