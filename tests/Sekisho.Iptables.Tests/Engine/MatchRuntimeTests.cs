using System.Text.RegularExpressions;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Iptables.Tests.Engine;

/// <summary>
/// Match behaviour the kernel lab cannot show: packets of local sockets (owner), looped-back packets (pkttype),
/// exact time arithmetic under a manual clock (limit, recent), list sizes (recent), and the packet path's
/// freedom from allocation. Expected values follow the kernel's formulas (HZ=250).
/// </summary>
public sealed partial class MatchRuntimeTests
{
    private static readonly IpFields s_ip = new(Ipv4Address.Parse("10.0.1.2"), Ipv4Address.Parse("10.0.2.2"));

    private static string Filter(string chain, string rules) => $"""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        {string.Join('\n', rules.Split('\n').Select(r => $"-A {chain} {r.Trim()}"))}
        COMMIT

        """;

    private static long[] Packets(SekishoLab lab) =>
        lab.Tool("iptables-save -c").Stdout.Split('\n')
            .Select(l => CounterPattern().Match(l))
            .Where(m => m.Success)
            .Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))
            .ToArray();

    private static uint Evaluate(SekishoLab lab, Hook hook, byte[] datagram, Action<Packet>? setup = null)
    {
        var packet = new Packet();
        packet.LoadDatagram(datagram);
        setup?.Invoke(packet);
        var host = lab.Net.Host;
        return hook switch
        {
            Hook.Forward => lab.Net.Evaluate(hook, packet, host.FindDevice("eth0"), host.FindDevice("eth1")),
            Hook.LocalOut or Hook.PostRouting => lab.Net.Evaluate(hook, packet, null, host.FindDevice("eth1")),
            _ => lab.Net.Evaluate(hook, packet, host.FindDevice("eth0"), null),
        };
    }

    [GeneratedRegex(@"^\[(\d+):\d+\] -A ")]
    private static partial Regex CounterPattern();

    [Fact]
    public void Owner_SocketAndNoSocket_AsOwnerMt()
    {
        using var lab = new SekishoLab(LabHost.Router(), Filter("OUTPUT", """
            -m owner --uid-owner 1000
            -m owner ! --uid-owner 1000
            -m owner --uid-owner 0-999
            -m owner --gid-owner 100
            -m owner --gid-owner 100 --suppl-groups
            -m owner ! --gid-owner 100 --suppl-groups
            -m owner --socket-exists
            -m owner ! --socket-exists
            -m owner ! --uid-owner 5 ! --gid-owner 5
            """));
        var datagram = PacketBuilder.Udp(s_ip, 1, 2);
        Evaluate(lab, Hook.LocalOut, datagram, p => p.Socket = new SocketInfo(1000, 5, [100, 200]));
        Evaluate(lab, Hook.LocalOut, datagram);

        // With the socket: uid 1000, gid 5, supplementary 100. Without: only rules whose every option is inverted.
        Assert.Equal([1, 1, 0, 0, 1, 0, 1, 1, 1], Packets(lab));
    }

    [Fact]
    public void Pkttype_LoopedBackPackets_ClassifiedByDestination()
    {
        using var lab = new SekishoLab(LabHost.Router(), Filter("INPUT", """
            -m pkttype --pkt-type multicast
            -m pkttype --pkt-type broadcast
            -m pkttype --pkt-type unicast
            """));
        Evaluate(lab, Hook.LocalIn, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("224.0.0.1") }, 1, 2), p => p.PacketType = PacketType.Loopback);
        Evaluate(lab, Hook.LocalIn, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Broadcast }, 1, 2), p => p.PacketType = PacketType.Loopback);
        Evaluate(lab, Hook.LocalIn, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("10.0.1.255") }, 1, 2), p => p.PacketType = PacketType.Loopback);
        Evaluate(lab, Hook.LocalIn, PacketBuilder.Udp(s_ip, 1, 2), p => p.PacketType = PacketType.Broadcast);
        Assert.Equal([1, 2, 1], Packets(lab));
    }

    [Fact]
    public void Limit_RefillsInWholeJiffies()
    {
        // 4/sec: cost 8000 credits, 128 per jiffy: a packet's worth takes 62.5 jiffies; the burst of 2 is 16000.
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20000));
        using var lab = new SekishoLab(LabHost.Router(), Filter("FORWARD", "-m limit --limit 4/sec --limit-burst 2"), clock);
        var datagram = PacketBuilder.Udp(s_ip, 1, 2);
        for (int i = 0; i < 3; i++)
        {
            Evaluate(lab, Hook.Forward, datagram);
        }

        Assert.Equal([2], Packets(lab));
        clock.Advance(TimeSpan.FromMilliseconds(248));
        Evaluate(lab, Hook.Forward, datagram);
        Assert.Equal([2], Packets(lab));
        clock.Advance(TimeSpan.FromMilliseconds(4));
        Evaluate(lab, Hook.Forward, datagram);
        Assert.Equal([3], Packets(lab));
        clock.Advance(TimeSpan.FromHours(1));
        for (int i = 0; i < 4; i++)
        {
            Evaluate(lab, Hook.Forward, datagram);
        }

        Assert.Equal([5], Packets(lab));
    }

    [Fact]
    public void Recent_SecondsWindowAndListSize()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch.AddDays(20000));
        using var lab = new SekishoLab(LabHost.Router(), Filter("FORWARD", """
            -p udp --dport 1 -m recent --name l --set
            -p udp --dport 2 -m recent --name l --rcheck --seconds 2
            -p udp --dport 3 -m recent --name l --rcheck
            """), clock);
        Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip, 9, 1));
        clock.Advance(TimeSpan.FromSeconds(1));
        Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip, 9, 2));
        clock.Advance(TimeSpan.FromSeconds(2));
        Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip, 9, 2));
        Assert.Equal([1, 1, 0], Packets(lab));

        // 200 other addresses push the first, least recently used, out of the list.
        for (int i = 0; i < 200; i++)
        {
            Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip with { Source = new Ipv4Address(0x0A640000u + (uint)i) }, 9, 1));
        }

        Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip, 9, 3));
        Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip with { Source = new Ipv4Address(0x0A640000u + 199) }, 9, 3));
        Assert.Equal([201, 1, 1], Packets(lab));
    }

    [Fact]
    public void Statistic_RandomMode_UsesTheNamespaceGenerator()
    {
        using var lab = new SekishoLab(LabHost.Router(), Filter("FORWARD", "-m statistic --mode random --probability 0.25"));
        lab.Net.Random = new Random(7);
        var expected = new Random(7);
        int hits = 0;
        for (int i = 0; i < 200; i++)
        {
            if ((uint)(expected.Next() & 0x7FFFFFFF) < 0x20000000u)
            {
                hits++;
            }

            Evaluate(lab, Hook.Forward, PacketBuilder.Udp(s_ip, 1, 2));
        }

        Assert.Equal([hits], Packets(lab));
        Assert.InRange(hits, 20, 80);
    }

    [Fact]
    public void Matches_AllocateNothingPerPacket()
    {
        using var lab = new SekishoLab(LabHost.Router(), Filter("FORWARD", """
            -p tcp --dport 80 --tcp-flags SYN,ACK SYN --tcp-option 2
            -p udp ! --sport 53
            -p icmp --icmp-type 8
            -p sctp --chunk-types all DATA,SACK
            -p tcp -m multiport --ports 22,80:90
            -m mac --mac-source 0a:a2:e8:49:27:a3
            -m limit --limit 1/sec
            -m comment --comment x
            -m iprange --src-range 10.0.1.1-10.0.1.9
            -m length --length 40:100
            -m ttl --ttl-gt 5
            -m mark --mark 1
            -m addrtype --dst-type UNICAST --limit-iface-in
            -m pkttype --pkt-type unicast
            -m recent --name a --set
            -m recent --name a --update --seconds 10 --hitcount 2 --rttl
            -m tos --tos 0x10
            -m dscp --dscp 4
            -m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcip,dstport --hashlimit-name h
            -m hashlimit --hashlimit-above 5kb/s --hashlimit-mode dstip --hashlimit-name hb
            -m statistic --mode nth --every 3 --packet 0
            -m statistic --mode random --probability 0.5
            -m policy --dir in --pol none
            -m physdev ! --physdev-is-bridged
            -j ACCEPT
            """));
        byte[][] datagrams =
        [
            PacketBuilder.Tcp(s_ip, 1000, 80, TcpHeader.Syn, 1, 0, 1000, [2, 4, 5, 0xB4]),
            PacketBuilder.Udp(s_ip, 1000, 53),
            PacketBuilder.Echo(s_ip, 1, 1),
            PacketBuilder.Sctp(s_ip, 1, 2, 3, [0, 3, 0, 4, 3, 0, 0, 4]),
            PacketBuilder.Ipv4(s_ip, 6, new byte[7]),
        ];
        var packets = datagrams.Select(d =>
        {
            var packet = new Packet();
            packet.LoadFrame(LabHost.Router().FrameTo("eth0", d), 14);
            return packet;
        }).ToArray();
        var eth0 = lab.Net.Host.FindDevice("eth0");
        var eth1 = lab.Net.Host.FindDevice("eth1");
        foreach (var packet in packets)
        {
            packet.InDevice = eth0;
            lab.Net.Evaluate(Hook.Forward, packet, eth0, eth1);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            foreach (var packet in packets)
            {
                lab.Net.Evaluate(Hook.Forward, packet, eth0, eth1);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
