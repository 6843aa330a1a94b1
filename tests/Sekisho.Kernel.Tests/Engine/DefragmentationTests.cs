using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// IPv4 reassembly and refragmentation: a router forwards fragments one by one without conntrack, and with
/// conntrack reassembles them at PREROUTING (nf_defrag_ipv4), counts the whole datagram, and sends it out again in
/// the fragments it came in; overlapping fragments kill the queue; local delivery reassembles before INPUT.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class DefragmentationTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly Ipv4Address s_router = Ipv4Address.Parse("10.0.1.1");

    // A rule that never matches the test traffic but makes the kernel (and Sekisho) load connection tracking.
    private const string ConntrackRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -s 192.0.2.99/32 -m state --state INVALID -j DROP
        -A FORWARD -p udp -j ACCEPT
        -A FORWARD -f -j DROP
        COMMIT
        """;

    private const string StatelessRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -f
        -A FORWARD -p udp -j ACCEPT
        COMMIT
        """;

    [KernelFact]
    public void Forward_WithoutConntrack_FragmentsForwardedOneByOne_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), StatelessRules);
        var ip = new IpFields(s_client, s_server) { Id = 0x4242 };
        var datagram = PacketBuilder.Udp(ip, 1000, 2000, Payload(300));
        var fragments = PacketBuilder.Fragment(datagram, 128);
        lab.InjectDatagram("eth0", fragments[2]);
        lab.InjectDatagram("eth0", fragments[0]);
        Assert.Single(lab.LastFrames);
        lab.InjectDatagram("eth0", fragments[1]);
        lab.InjectDatagram("eth0", Piece(ip, 17, UdpPart(datagram), 120, 64, more: true)); // overlaps
        Assert.Single(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Forward_WithConntrack_ReassembledCountedOnceAndRefragmentedAsReceived_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), ConntrackRules);
        var ip = new IpFields(s_client, s_server) { Id = 0x1111 };
        var datagram = PacketBuilder.Udp(ip, 1000, 2000, Payload(300));
        var fragments = PacketBuilder.Fragment(datagram, 128);
        lab.InjectDatagram("eth0", fragments[0]);
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", fragments[1]);
        lab.InjectDatagram("eth0", fragments[2]);
        Assert.Equal(3, lab.LastFrames.Count);
        lab.AssertCounters();

        // Out of order, and of unequal sizes: sent out in offset order, in the sizes they came.
        var second = new IpFields(s_client, s_server) { Id = 0x2222, Ttl = 30 };
        var udp = UdpPart(PacketBuilder.Udp(second, 1000, 2000, Payload(500)));
        lab.InjectDatagram("eth0", Piece(second, 17, udp, 200, udp.Length - 200, more: false));
        lab.InjectDatagram("eth0", Piece(second with { Ttl = 9 }, 17, udp, 64, 136, more: true));
        lab.InjectDatagram("eth0", Piece(second, 17, udp, 0, 64, more: true));
        Assert.Equal(3, lab.LastFrames.Count);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Forward_WithConntrack_OverlapKillsQueueDuplicateIsIgnored_LikeKernel()
    {
        using var lab = new LabPair(LabHost.Router(), ConntrackRules);
        var ip = new IpFields(s_client, s_server) { Id = 0x3333 };
        var udp = UdpPart(PacketBuilder.Udp(ip, 1000, 2000, Payload(200)));

        // A duplicate inside data already held is dropped and the datagram still completes.
        lab.InjectDatagram("eth0", Piece(ip, 17, udp, 0, 96, more: true));
        lab.InjectDatagram("eth0", Piece(ip, 17, udp, 16, 32, more: true));
        lab.InjectDatagram("eth0", Piece(ip, 17, udp, 96, udp.Length - 96, more: false));
        Assert.Equal(2, lab.LastFrames.Count);

        // An overlap kills the queue (the fragments held are lost): the next fragment starts a new queue, which
        // a fragment covering the lost part completes.
        var other = ip with { Id = 0x3334 };
        lab.InjectDatagram("eth0", Piece(other, 17, udp, 0, 96, more: true));
        lab.InjectDatagram("eth0", Piece(other, 17, udp, 88, 64, more: true));
        lab.InjectDatagram("eth0", Piece(other, 17, udp, 152, udp.Length - 152, more: false));
        Assert.Empty(lab.LastFrames);
        lab.InjectDatagram("eth0", Piece(other, 17, udp, 0, 152, more: true));
        Assert.Equal(2, lab.LastFrames.Count);

        // A last fragment that disagrees with the known end kills the queue.
        var third = ip with { Id = 0x3335 };
        lab.InjectDatagram("eth0", Piece(third, 17, udp, 0, 96, more: true));
        lab.InjectDatagram("eth0", Piece(third, 17, udp, 96, 40, more: false));
        lab.InjectDatagram("eth0", Piece(third, 17, udp, 136, udp.Length - 136, more: false));
        Assert.Empty(lab.LastFrames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void LocalDelivery_WithoutConntrack_InputSeesTheWholeDatagram_LikeKernel()
    {
        const string rules = """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A INPUT -f -j DROP
            -A INPUT -p udp -j DROP
            COMMIT
            """;
        using var lab = new LabPair(LabHost.Router(), rules);
        var ip = new IpFields(s_client, s_router) { Id = 0x5555 };
        var datagram = PacketBuilder.Udp(ip, 1000, 2000, Payload(400));
        var fragments = PacketBuilder.Fragment(datagram, 200);
        lab.InjectDatagram("eth0", fragments[1]);
        lab.InjectDatagram("eth0", fragments[2]);
        lab.InjectDatagram("eth0", fragments[0]);
        var counters = lab.AssertCounters();
        Assert.Contains("[1:428] -A INPUT -p udp -j DROP", counters);
    }

    // ---- unit tests of the queue rules, on Sekisho alone -------------------------------------------------

    [Fact]
    public void Defragment_OutOfOrder_CompletesWithFirstHeaderAndGeometry()
    {
        var (net, packet) = Setup();
        var ip = new IpFields(s_client, s_server) { Id = 7, Tos = 0x10 };
        var datagram = PacketBuilder.Udp(ip, 1, 2, Payload(100));
        var udp = UdpPart(datagram);
        Assert.Equal(DefragResult.Held, Feed(net, packet, Piece(ip with { Ttl = 3 }, 17, udp, 56, udp.Length - 56, more: false)));
        Assert.Equal(DefragResult.Complete, Feed(net, packet, Piece(ip, 17, udp, 0, 56, more: true)));
        Assert.Equal(datagram, packet.Data.ToArray());
        Assert.Equal(76, packet.FragmentMaxSize);
        Assert.Equal([56, 52], packet.FragmentLengths);
        Assert.Equal(0, net.Defragmenter.QueueCount);
        Assert.Equal(0, net.Defragmenter.MemoryUsed);
    }

    [Fact]
    public void Defragment_LocalDeliver_NoGeometryAndDfOnlyWhenLargestHadIt()
    {
        var (net, packet) = Setup();
        var ip = new IpFields(s_client, s_router) { Id = 8 };
        var udp = UdpPart(PacketBuilder.Udp(ip, 1, 2, Payload(100)));
        Feed(net, packet, Piece(ip with { DontFragment = true }, 17, udp, 0, 64, more: true), DefragUser.LocalDeliver);
        Assert.Equal(DefragResult.Complete, Feed(net, packet, Piece(ip, 17, udp, 64, udp.Length - 64, more: false), DefragUser.LocalDeliver));
        Assert.Empty(packet.FragmentLengths);
        Assert.Equal(0x4000, BinaryPrimitives.ReadUInt16BigEndian(packet.Data[6..]));
        Assert.True(Checksum.Verify(packet.Data[..20]));
    }

    [Fact]
    public void Defragment_UsersKeepSeparateQueues()
    {
        var (net, packet) = Setup();
        var ip = new IpFields(s_client, s_server) { Id = 9 };
        var udp = UdpPart(PacketBuilder.Udp(ip, 1, 2, Payload(100)));
        Feed(net, packet, Piece(ip, 17, udp, 0, 64, more: true), DefragUser.ConntrackIn);
        Assert.Equal(DefragResult.Held, Feed(net, packet, Piece(ip, 17, udp, 64, udp.Length - 64, more: false), DefragUser.LocalDeliver));
        Assert.Equal(2, net.Defragmenter.QueueCount);
    }

    [Fact]
    public void Defragment_Timeout_QueueForgottenAfter30Seconds()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20000));
        var (net, packet) = Setup(clock);
        var ip = new IpFields(s_client, s_server) { Id = 10 };
        var udp = UdpPart(PacketBuilder.Udp(ip, 1, 2, Payload(100)));
        Feed(net, packet, Piece(ip, 17, udp, 0, 64, more: true));
        clock.Advance(TimeSpan.FromSeconds(29.9));
        net.Defragmenter.Expire();
        Assert.Equal(1, net.Defragmenter.QueueCount);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(DefragResult.Held, Feed(net, packet, Piece(ip, 17, udp, 64, udp.Length - 64, more: false)));
        Assert.Equal(1, net.Defragmenter.QueueCount);
    }

    [Fact]
    public void Defragment_OversizedOrZeroLengthOrEcnMix_Dropped()
    {
        var (net, packet) = Setup();
        var ip = new IpFields(s_client, s_server) { Id = 11 };
        var piece = new byte[1480];
        for (int offset = 0; offset < 65120; offset += 1480)
        {
            Assert.Equal(DefragResult.Held, Feed(net, packet, PacketBuilder.Ipv4(ip with { MoreFragments = true, FragmentOffset = offset }, 17, piece)));
        }

        Assert.Equal(DefragResult.Dropped, Feed(net, packet, PacketBuilder.Ipv4(ip with { FragmentOffset = 65120 }, 17, new byte[400])));
        Assert.Equal(0, net.Defragmenter.QueueCount);

        Assert.Equal(DefragResult.Dropped, Feed(net, packet, PacketBuilder.Ipv4(ip with { Id = 12, MoreFragments = true, FragmentOffset = 8 }, 17, new byte[7])));

        var ecn = ip with { Id = 13 };
        Feed(net, packet, PacketBuilder.Ipv4(ecn with { MoreFragments = true, Tos = 1 }, 17, new byte[8]));
        Assert.Equal(DefragResult.Dropped, Feed(net, packet, PacketBuilder.Ipv4(ecn with { FragmentOffset = 8, Tos = 0 }, 17, new byte[8])));
    }

    [Fact]
    public void Defragment_MemoryAboveHighThreshold_NoNewQueue()
    {
        var (net, packet) = Setup();
        int made = 0;
        for (ushort id = 1; net.Defragmenter.MemoryUsed <= IpDefragmenter.HighThreshold; id++)
        {
            var ip = new IpFields(s_client, s_server) { Id = id, MoreFragments = true };
            Assert.Equal(DefragResult.Held, Feed(net, packet, PacketBuilder.Ipv4(ip, 17, new byte[1400])));
            made++;
        }

        Assert.True(made > 1000);
        Assert.Equal(DefragResult.Dropped, Feed(net, packet, PacketBuilder.Ipv4(new IpFields(s_client, s_server) { Id = 60000, MoreFragments = true }, 17, new byte[8])));
    }

    [Fact]
    public void Fragment_Output_FastPathKeepsSizesSlowPathCutsToMtu()
    {
        var (net, packet) = Setup();
        var ip = new IpFields(s_client, s_server) { Id = 14 };
        var datagram = PacketBuilder.Udp(ip, 1, 2, Payload(3000));
        var sent = new List<byte[]>();
        net.Transmitter = new Collector(sent);
        var fragments = PacketBuilder.Fragment(datagram, 1480);
        foreach (var fragment in fragments)
        {
            Feed(net, packet, fragment);
        }

        packet.OutDevice = net.Host.FindDevice("eth1");
        Assert.Equal(PacketFate.Forwarded, RunPostRouting(net, packet));
        Assert.Equal(fragments.Count, sent.Count);
        for (int i = 0; i < fragments.Count; i++)
        {
            Assert.Equal(fragments[i], sent[i][14..]);
        }
    }

    private static PacketFate RunPostRouting(NetNamespace net, Packet packet)
    {
        // A forwarded datagram's way out: the namespace's own path from POSTROUTING.
        var method = typeof(NetNamespace).GetMethod("PostRouting", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        return ((PacketResult)method.Invoke(net, [packet, null, PacketFate.Forwarded])!).Fate;
    }

    private static (NetNamespace Net, Packet Packet) Setup(TimeProvider? clock = null)
    {
        var host = new HostModel { Forwarding = true };
        var eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:01:01"));
        host.AddAddress(eth0, s_router, 24);
        var eth1 = host.AddDevice("eth1", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:02:01"));
        host.AddAddress(eth1, Ipv4Address.Parse("10.0.2.1"), 24);
        return (new NetNamespace(host, clock), new Packet());
    }

    private static DefragResult Feed(NetNamespace net, Packet packet, byte[] datagram, DefragUser user = DefragUser.ConntrackIn)
    {
        packet.LoadDatagram(datagram);
        return net.Defragmenter.Defragment(packet, user);
    }

    private static byte[] Payload(int length) => [.. Enumerable.Range(0, length).Select(i => (byte)(i * 7))];

    private static byte[] UdpPart(byte[] datagram) => datagram[((datagram[0] & 0x0F) * 4)..];

    private static byte[] Piece(IpFields ip, byte protocol, byte[] transport, int offset, int length, bool more) =>
        PacketBuilder.Ipv4(ip with { FragmentOffset = offset, MoreFragments = more }, protocol, transport.AsSpan(offset, length));

    private sealed class Collector(List<byte[]> frames) : IPacketTransmitter
    {
        public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame) => frames.Add(frame.ToArray());
    }
}
