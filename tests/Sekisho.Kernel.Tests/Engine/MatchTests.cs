using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// Each match family on packets, against the kernel: rules using the match's options and inversions, and packets
/// that include truncated and malformed ones (short headers, bad data offsets, fragments), forwarded by a router;
/// the per-rule counters and the frames that come out must be identical.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class MatchTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly IpFields s_ip = new(s_client, s_server) { Id = 0x4242 };

    private static string Filter(string forwardRules, string policy = "ACCEPT", string userChains = "") => $"""
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD {policy} [0:0]
        :OUTPUT ACCEPT [0:0]
        {userChains}{forwardRules}
        COMMIT

        """;

    private static void Run(string rules, IEnumerable<byte[]> datagrams, string iface = "eth0")
    {
        using var lab = new LabPair(LabHost.Router(), rules);
        lab.InjectMany(iface, datagrams);
        lab.AssertCounters();
    }

    private static byte[] Raw(byte protocol, int length, IpFields? ip = null)
    {
        var payload = new byte[length];
        for (int i = 0; i < length; i++)
        {
            payload[i] = (byte)(i * 7 + 3);
        }

        return PacketBuilder.Ipv4(ip ?? s_ip, protocol, payload);
    }

    private static byte[] TcpWithOffset(int dataOffset, int length, params byte[] options)
    {
        var segment = new byte[length];
        segment[0] = 0x30;
        segment[3] = 80;
        segment[12] = (byte)(dataOffset << 4);
        segment[13] = TcpHeader.Syn;
        options.CopyTo(segment.AsSpan(20));
        return PacketBuilder.Ipv4(s_ip, 6, segment);
    }

    [KernelFact]
    public void Tcp_PortsFlagsOptions_TruncatedAndFragments_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p tcp --tcp-option 8
            -A FORWARD -p tcp ! --tcp-option 2
            -A FORWARD -p tcp --dport 80 --sport 1000:2000
            -A FORWARD -p tcp ! --dport 80
            -A FORWARD -p tcp ! --sport 0:1023
            -A FORWARD -p tcp --syn
            -A FORWARD -p tcp ! --syn
            -A FORWARD -p tcp --tcp-flags ALL NONE
            -A FORWARD -p tcp ! --tcp-flags SYN,FIN SYN,FIN
            -A FORWARD -p tcp --tcp-flags ACK,RST ACK -j ACCEPT
            -A FORWARD -p tcp
            """);
        byte[] mss = [2, 4, 5, 0xB4];
        byte[] timestamps = [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2];
        var datagram = PacketBuilder.Tcp(s_ip with { DontFragment = false }, 1500, 80, TcpHeader.Syn, 1, 0, 1000, mss, new byte[64]);
        Run(rules,
        [
            PacketBuilder.Tcp(s_ip, 1500, 80, TcpHeader.Syn, 1, 0, 1000, mss),
            PacketBuilder.Tcp(s_ip, 1500, 80, TcpHeader.Syn, 1, 0, 1000, timestamps),
            PacketBuilder.Tcp(s_ip, 22, 443, TcpHeader.Ack, 5, 6),
            PacketBuilder.Tcp(s_ip, 40000, 80, TcpHeader.Ack | TcpHeader.Rst, 5, 6),
            PacketBuilder.Tcp(s_ip, 40000, 80, 0),
            PacketBuilder.Tcp(s_ip, 40000, 80, TcpHeader.Syn | TcpHeader.Fin),
            PacketBuilder.Tcp(s_ip, 3000, 8080, TcpHeader.Syn, 1, 0, 1000, [0, 8, 10]),
            PacketBuilder.Tcp(s_ip, 3000, 8080, TcpHeader.Syn, 1, 0, 1000, [3, 0, 8, 10]),
            Raw(6, 0),
            Raw(6, 19),
            TcpWithOffset(4, 20),
            TcpWithOffset(0, 24),
            TcpWithOffset(15, 28, 1, 1, 8),
            TcpWithOffset(8, 32, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1),
            .. PacketBuilder.Fragment(datagram, 8),
            .. PacketBuilder.Fragment(datagram, 24),
            Raw(6, 16, s_ip with { FragmentOffset = 8 }),
            Raw(6, 16, s_ip with { FragmentOffset = 16, MoreFragments = true }),
        ]);
    }

    [KernelFact]
    public void UdpIcmp_PortsTypesCodes_Truncated_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p udp --dport 53
            -A FORWARD -p udp ! --sport 1024:65535
            -A FORWARD -p udp ! --dport 53 ! --sport 53
            -A FORWARD -p icmp --icmp-type echo-request
            -A FORWARD -p icmp ! --icmp-type 3/1
            -A FORWARD -p icmp --icmp-type destination-unreachable
            -A FORWARD -p icmp --icmp-type any
            -A FORWARD -p icmp ! --icmp-type any
            -A FORWARD -p icmp --icmp-type 11
            """);
        Run(rules,
        [
            PacketBuilder.Udp(s_ip, 40000, 53, "q"u8),
            PacketBuilder.Udp(s_ip, 53, 40000),
            PacketBuilder.Udp(s_ip, 1023, 1023),
            Raw(17, 7),
            Raw(17, 0),
            Raw(17, 12, s_ip with { FragmentOffset = 8 }),
            PacketBuilder.Echo(s_ip, 1, 1, new byte[8]),
            PacketBuilder.Icmp(s_ip, 3, 1),
            PacketBuilder.Icmp(s_ip, 3, 3),
            PacketBuilder.Icmp(s_ip, 3, 200),
            PacketBuilder.Icmp(s_ip, 11, 1),
            PacketBuilder.Icmp(s_ip, 254, 0),
            Raw(1, 7),
            Raw(1, 4),
            Raw(1, 16, s_ip with { FragmentOffset = 24 }),
        ]);
    }

    [KernelFact]
    public void Sctp_ChunkTypesAllAnyOnlyAndFlags_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p sctp --dport 80 --chunk-types any INIT,DATA
            -A FORWARD -p sctp --chunk-types all DATA,SACK
            -A FORWARD -p sctp --chunk-types only DATA
            -A FORWARD -p sctp --chunk-types only DATA:Be
            -A FORWARD -p sctp ! --chunk-types any ABORT:T
            -A FORWARD -p sctp --chunk-types any ABORT:T
            -A FORWARD -p sctp ! --sport 1000:2000 --chunk-types all NONE
            -A FORWARD -p sctp
            """);
        byte[] data = [0, 0x03, 0, 8, 1, 2, 3, 4];
        byte[] dataBegin = [0, 0x02, 0, 5, 9, 0, 0, 0];
        byte[] sack = [3, 0, 0, 4];
        byte[] abortT = [6, 1, 0, 4];
        byte[] abort = [6, 0, 0, 4];
        byte[] init = [1, 0, 0, 20, .. new byte[16]];
        Run(rules,
        [
            PacketBuilder.Sctp(s_ip, 1500, 80, 1, init),
            PacketBuilder.Sctp(s_ip, 1500, 81, 1, [.. data, .. sack]),
            PacketBuilder.Sctp(s_ip, 1500, 81, 1, data),
            PacketBuilder.Sctp(s_ip, 1500, 81, 1, [.. dataBegin, .. data]),
            PacketBuilder.Sctp(s_ip, 3000, 81, 1, abortT),
            PacketBuilder.Sctp(s_ip, 3000, 81, 1, [.. abort, .. data]),
            PacketBuilder.Sctp(s_ip, 3000, 81, 1, [0, 0, 0, 0]),
            PacketBuilder.Sctp(s_ip, 3000, 81, 1, [.. data, 3, 0]),
            PacketBuilder.Sctp(s_ip, 3000, 81, 1, []),
            Raw(132, 11),
            Raw(132, 24, s_ip with { FragmentOffset = 8 }),
        ]);
    }

    [KernelFact]
    public void Multiport_SourceDestinationBothRangesInverted_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p tcp -m multiport --dports 22,80:90,443
            -A FORWARD -p udp -m multiport ! --sports 53,1000:2000
            -A FORWARD -p tcp -m multiport --ports 8080,100:200
            -A FORWARD -p udp -m multiport ! --ports 5000:6000
            -A FORWARD -p sctp -m multiport --dports 9
            """);
        Run(rules,
        [
            PacketBuilder.Tcp(s_ip, 1, 22, TcpHeader.Syn),
            PacketBuilder.Tcp(s_ip, 1, 85, TcpHeader.Syn),
            PacketBuilder.Tcp(s_ip, 150, 1, TcpHeader.Syn),
            PacketBuilder.Tcp(s_ip, 8080, 91, TcpHeader.Syn),
            PacketBuilder.Udp(s_ip, 53, 5500),
            PacketBuilder.Udp(s_ip, 1500, 7000),
            PacketBuilder.Udp(s_ip, 3000, 3000),
            PacketBuilder.Sctp(s_ip, 1, 9, 1, [0, 3, 0, 4]),
            Raw(6, 3),
            Raw(17, 3),
            Raw(6, 20, s_ip with { FragmentOffset = 8 }),
        ]);
    }

    [KernelFact]
    public void HeaderMatches_IprangeLengthTtlTosDscpMarkCommentPolicyPhysdev_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -m iprange --src-range 10.0.1.1-10.0.1.5
            -A FORWARD -m iprange ! --src-range 10.0.1.1-10.0.1.5 --dst-range 10.0.2.2-10.0.2.2
            -A FORWARD -m length --length 28:60
            -A FORWARD -m length ! --length 100
            -A FORWARD -m ttl --ttl-eq 64
            -A FORWARD -m ttl ! --ttl-eq 64
            -A FORWARD -m ttl --ttl-lt 10
            -A FORWARD -m ttl --ttl-gt 100
            -A FORWARD -m tos --tos 0x10
            -A FORWARD -m tos ! --tos 0x08/0x0c
            -A FORWARD -m dscp --dscp 0x2e
            -A FORWARD -m dscp ! --dscp 0
            -A FORWARD -m mark --mark 0
            -A FORWARD -m mark ! --mark 1/1
            -A FORWARD -m comment --comment "hello"
            -A FORWARD -m policy --dir in --pol none
            -A FORWARD -m policy --dir in --pol ipsec
            -A FORWARD -m physdev --physdev-in eth0
            -A FORWARD -m physdev ! --physdev-is-bridged
            -A FORWARD -m physdev ! --physdev-in eth0 ! --physdev-is-in
            -A FORWARD -m addrtype --dst-type UNICAST
            -A FORWARD -m addrtype --src-type LOCAL
            -A FORWARD -m addrtype ! --src-type UNICAST --limit-iface-in
            -A FORWARD -m addrtype --dst-type UNICAST --limit-iface-out
            -A FORWARD -m pkttype --pkt-type unicast
            -A FORWARD -m mac --mac-source 0a:a2:e8:49:27:a3
            -A FORWARD -m mac ! --mac-source 0a:a2:e8:49:27:a3
            -A FORWARD ! -d 10.0.2.2 -j DROP
            """);
        var other = Ipv4Address.Parse("10.0.1.9");
        Run(rules,
        [
            PacketBuilder.Udp(s_ip, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = other, Ttl = 5, Tos = 0x10 }, 1, 2, new byte[72]),
            PacketBuilder.Udp(s_ip with { Ttl = 200, Tos = 0xB8 }, 1, 2, new byte[200]),
            PacketBuilder.Udp(s_ip with { Tos = 0x08 }, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("192.168.1.1"), Tos = 0x04 }, 1, 2),
            PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("10.0.2.3") }, 1, 2),
        ]);
    }

    [KernelFact]
    public void MacPkttypeAddrtype_InPrerouting_LinkAddressesLikeKernel()
    {
        const string rules = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -m mac --mac-source 02:11:22:33:44:55
            -A PREROUTING -m mac ! --mac-source 0a:a2:e8:49:27:a3
            -A PREROUTING -m pkttype --pkt-type broadcast
            -A PREROUTING -m pkttype --pkt-type multicast
            -A PREROUTING -m pkttype ! --pkt-type unicast
            -A PREROUTING -m addrtype --dst-type LOCAL
            -A PREROUTING -m addrtype --dst-type BROADCAST
            -A PREROUTING -m addrtype --dst-type MULTICAST
            -A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in
            -A PREROUTING -m addrtype --src-type UNICAST
            -A PREROUTING -m addrtype --src-type BROADCAST
            -A PREROUTING -m addrtype --dst-type UNREACHABLE
            -A PREROUTING -m addrtype --dst-type UNICAST --limit-iface-in
            -A PREROUTING -m addrtype --src-type UNICAST --limit-iface-in
            -A PREROUTING -j DROP
            COMMIT
            """;
        var host = LabHost.Router();
        var mac = host.Interface("eth0").Mac;
        var odd = MacAddress.Parse("02:11:22:33:44:55");
        var multicastMac = MacAddress.Parse("01:00:5e:00:00:fb");
        List<(string, byte[])> frames =
        [
            ("eth0", PacketBuilder.Ethernet(mac, LabHost.PeerMac, PacketBuilder.Udp(s_ip, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(mac, odd, PacketBuilder.Udp(s_ip, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(MacAddress.Broadcast, odd, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Broadcast }, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(MacAddress.Broadcast, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("10.0.1.255") }, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(multicastMac, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("224.0.0.251") }, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(mac, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("10.0.1.1") }, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(mac, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("10.0.2.1") }, 1, 2))),
            ("eth0", PacketBuilder.Ethernet(mac, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Destination = Ipv4Address.Parse("8.8.8.8") }, 1, 2))),
            ("eth1", PacketBuilder.Ethernet(host.Interface("eth1").Mac, LabHost.SecondPeerMac, PacketBuilder.Udp(new IpFields(s_server, s_client), 1, 2))),
            ("eth0", PacketBuilder.Ethernet(mac, LabHost.PeerMac, PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("10.0.2.255") }, 1, 2))),
        ];
        using var lab = new LabPair(host, rules);
        lab.InjectMany(frames);
        lab.AssertCounters();
    }

    [KernelFact]
    public void Rpfilter_StrictLooseAcceptLocalInvert_LikeKernel()
    {
        const string rules = """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -m rpfilter
            -A PREROUTING -m rpfilter --loose
            -A PREROUTING -m rpfilter --accept-local
            -A PREROUTING -m rpfilter --invert
            -A PREROUTING -m rpfilter --loose --accept-local --validmark
            -A PREROUTING -j DROP
            COMMIT
            """;
        Run(rules,
        [
            PacketBuilder.Udp(s_ip, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("10.0.2.7") }, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("10.0.1.1") }, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("10.0.2.1") }, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("192.168.3.3") }, 1, 2),
            PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse("0.0.0.0"), Destination = Ipv4Address.Broadcast }, 68, 67),
        ]);
    }

    [KernelFact]
    public void LimitStatistic_BurstsAndNth_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p udp --dport 1 -m limit --limit 1/hour --limit-burst 3
            -A FORWARD -p udp --dport 1 -m limit --limit 2/min
            -A FORWARD -p udp -m statistic --mode nth --every 3 --packet 0
            -A FORWARD -p udp -m statistic --mode nth --every 4 --packet 2
            -A FORWARD -p udp -m statistic --mode nth ! --every 2 --packet 1
            -A FORWARD -p udp -m statistic --mode random --probability 1
            -A FORWARD -p udp -m statistic --mode random ! --probability 0
            -A FORWARD -p udp -m statistic --mode random --probability 0
            """);
        Run(rules, Enumerable.Range(0, 12).Select(i => PacketBuilder.Udp(s_ip with { Id = (ushort)i }, 7, (ushort)(1 + (i % 2)))));
    }

    [KernelFact]
    public void Hashlimit_ModesMasksUptoAbove_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p udp -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name a
            -A FORWARD -p udp -m hashlimit --hashlimit-above 1/hour --hashlimit-burst 3 --hashlimit-mode srcip,dstport --hashlimit-name b --hashlimit-srcmask 24
            -A FORWARD -p udp -m hashlimit --hashlimit-upto 2/hour --hashlimit-burst 1 --hashlimit-mode srcport --hashlimit-name c
            -A FORWARD -p udp -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 4 --hashlimit-name d
            -A FORWARD -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode dstport --hashlimit-name e
            -A FORWARD -p udp -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name a
            """);
        var sources = new[] { "10.0.1.2", "10.0.1.3", "10.0.1.200", "10.0.3.1" };
        var datagrams = new List<byte[]>();
        for (int i = 0; i < 24; i++)
        {
            var ip = s_ip with { Source = Ipv4Address.Parse(sources[i % sources.Length]), Id = (ushort)i };
            datagrams.Add(PacketBuilder.Udp(ip, (ushort)(1000 + (i % 3)), (ushort)(53 + (i % 2))));
        }

        datagrams.Add(Raw(17, 2));
        datagrams.Add(PacketBuilder.Echo(s_ip, 1, 1));
        datagrams.Add(Raw(47, 0));
        Run(rules, datagrams);
    }

    [KernelFact]
    public void Recent_SetCheckUpdateRemoveHitcountTtl_LikeKernel()
    {
        string rules = Filter("""
            -A FORWARD -p udp --dport 1 -m recent --name knock --set
            -A FORWARD -p udp --dport 2 -m recent --name knock --rcheck
            -A FORWARD -p udp --dport 2 -m recent --name knock --rcheck --hitcount 3
            -A FORWARD -p udp --dport 2 -m recent --name knock --update --seconds 60 --hitcount 2
            -A FORWARD -p udp --dport 2 -m recent --name knock ! --rcheck --seconds 60
            -A FORWARD -p udp --dport 3 -m recent --name knock --remove
            -A FORWARD -p udp --dport 4 -m recent --name knock --rcheck --rttl
            -A FORWARD -p udp --dport 5 -m recent --name dst --set --rdest
            -A FORWARD -p udp -m recent --name dst --rcheck --rdest --mask 255.255.255.0
            -A FORWARD -p udp --dport 6 -m recent --name knock --update --seconds 3600 --reap
            -A FORWARD ! -d 10.0.2.2 -j DROP
            """);
        var a = s_ip with { Source = Ipv4Address.Parse("10.0.1.2") };
        var b = s_ip with { Source = Ipv4Address.Parse("10.0.1.3") };
        Run(rules,
        [
            PacketBuilder.Udp(a, 9, 2),
            PacketBuilder.Udp(a, 9, 1),
            PacketBuilder.Udp(a, 9, 2),
            PacketBuilder.Udp(a, 9, 2),
            PacketBuilder.Udp(a with { Ttl = 30 }, 9, 4),
            PacketBuilder.Udp(a, 9, 4),
            PacketBuilder.Udp(b, 9, 1),
            PacketBuilder.Udp(b, 9, 2),
            PacketBuilder.Udp(a, 9, 1),
            PacketBuilder.Udp(a, 9, 2),
            PacketBuilder.Udp(a, 9, 6),
            PacketBuilder.Udp(a, 9, 3),
            PacketBuilder.Udp(a, 9, 2),
            PacketBuilder.Udp(b, 9, 5),
            PacketBuilder.Udp(a, 9, 7),
            PacketBuilder.Udp(a with { Destination = Ipv4Address.Parse("10.0.2.9") }, 9, 7),
        ]);
    }

    [KernelFact]
    public void LimitHashlimitRecent_OverRealTime_LikeKernel()
    {
        // 4 per second: a packet's worth of credit every 250 ms, a burst of 2. Each step waits well away from those
        // boundaries, so that the few milliseconds between the kernel and Sekisho seeing a packet cannot matter.
        string rules = Filter("""
            -A FORWARD -p udp --dport 1 -m limit --limit 4/sec --limit-burst 2
            -A FORWARD -p udp --dport 2 -m hashlimit --hashlimit-upto 4/sec --hashlimit-burst 2 --hashlimit-mode srcip --hashlimit-name t
            -A FORWARD -p udp --dport 2 -m hashlimit --hashlimit-above 4/sec --hashlimit-burst 2 --hashlimit-mode dstip --hashlimit-name u
            -A FORWARD -p udp --dport 3 -m recent --name t --set
            -A FORWARD -p udp --dport 4 -m recent --name t --rcheck --seconds 1
            -A FORWARD -p udp --dport 4 -m recent --name t --update --seconds 1 --hitcount 2
            """);
        using var lab = new LabPair(LabHost.Router(), rules);
        var client = s_ip with { Source = s_client };
        List<byte[]> Burst(params ushort[] ports) => ports.Select(p => PacketBuilder.Udp(client, 9, p)).ToList();
        lab.InjectMany("eth0", Burst(1, 1, 1, 2, 2, 2, 3, 4));
        lab.AssertCounters("burst");
        Thread.Sleep(100);
        lab.InjectMany("eth0", Burst(1, 2, 4));
        lab.AssertCounters("after 100 ms");
        Thread.Sleep(275);
        lab.InjectMany("eth0", Burst(1, 1, 2, 2, 4));
        lab.AssertCounters("after 375 ms");
        Thread.Sleep(1300);
        lab.InjectMany("eth0", Burst(1, 1, 1, 2, 2, 2, 4));
        lab.AssertCounters("after 1.7 s");
    }

    [KernelFact]
    public void Hashlimit_RateMatchAndBytes_InOneBurst_LikeKernel()
    {
        // Within one burst no meaningful time passes: rate-match counts packets against burst plus rate, and in
        // bytes mode packets costing more than a second's credit pass once per burst unit.
        string rules = Filter("""
            -A FORWARD -p udp --dport 1 -m hashlimit --hashlimit-upto 4/sec --hashlimit-burst 2 --hashlimit-rate-match --hashlimit-mode srcip --hashlimit-name rm
            -A FORWARD -p udp --dport 1 -m hashlimit --hashlimit-above 10/sec --hashlimit-rate-match --hashlimit-rate-interval 5 --hashlimit-name rn
            -A FORWARD -p udp --dport 2 -m hashlimit --hashlimit-upto 1kb/s --hashlimit-burst 3kb --hashlimit-mode dstip --hashlimit-name by
            -A FORWARD -p udp --dport 2 -m hashlimit --hashlimit-above 1mb/s --hashlimit-name bz
            -A FORWARD -p udp --dport 3 -m hashlimit --hashlimit-upto 100kb/s --hashlimit-rate-match --hashlimit-name br
            """);
        var datagrams = new List<byte[]>();
        for (int i = 0; i < 14; i++)
        {
            datagrams.Add(PacketBuilder.Udp(s_ip with { Id = (ushort)i }, 9, 1));
            datagrams.Add(PacketBuilder.Udp(s_ip with { Id = (ushort)i }, 9, 2, new byte[1200]));
            datagrams.Add(PacketBuilder.Udp(s_ip with { Id = (ushort)i }, 9, 3, new byte[1000 * (i % 3)]));
        }

        Run(rules, datagrams);
    }

    [KernelFact]
    public void Hashlimit_TableMaxAndExpiry_LikeKernel()
    {
        // Two entries at most: a third key is dropped. Entries expire after 200 ms and are collected every 100 ms,
        // so a second later the same keys start from full buckets again.
        string rules = Filter("""
            -A FORWARD -p udp -m hashlimit --hashlimit-upto 1/hour --hashlimit-burst 1 --hashlimit-mode srcip --hashlimit-name m --hashlimit-htable-max 2 --hashlimit-htable-expire 200 --hashlimit-htable-gcinterval 100
            -A FORWARD -p udp
            """);
        using var lab = new LabPair(LabHost.Router(), rules);
        List<byte[]> Sources(params string[] sources) =>
            sources.Select(a => PacketBuilder.Udp(s_ip with { Source = Ipv4Address.Parse(a) }, 9, 9)).ToList();
        lab.InjectMany("eth0", Sources("10.0.1.2", "10.0.1.3", "10.0.1.2", "10.0.1.4", "10.0.1.3"));
        lab.AssertCounters("table full");
        Thread.Sleep(1000);
        lab.InjectMany("eth0", Sources("10.0.1.4", "10.0.1.2", "10.0.1.4", "10.0.1.3"));
        lab.AssertCounters("after expiry");
    }
}
