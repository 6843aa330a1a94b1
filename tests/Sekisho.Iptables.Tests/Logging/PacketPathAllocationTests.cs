using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Packets;
using Sekisho.TestSupport;

namespace Sekisho.Iptables.Tests.Logging;

/// <summary>LOG, REJECT and the host's own answers allocate nothing per packet once warm.</summary>
public sealed class PacketPathAllocationTests
{
    private const string Rules = """
        *mangle
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -p tcp -j TOS --set-tos 0x10
        -A PREROUTING -j MARK --set-mark 7
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -j LOG --log-prefix "in " --log-tcp-options --log-tcp-sequence --log-ip-options --log-macdecode
        -A INPUT -p tcp --dport 22 -j REJECT --reject-with tcp-reset
        -A INPUT -p udp --dport 53 -j REJECT
        -A OUTPUT -j LOG --log-prefix "out "
        COMMIT
        """;

    [Fact]
    public void LogRejectAndLocalAnswers_Warm_AllocateNothing()
    {
        var store = new MemoryRulesetStore();
        var restored = new SekishoTools(store).Run("iptables-restore", Rules + "\n");
        Assert.True(restored.ExitCode == 0, restored.Stderr);
        var host = new HostModel();
        var mac = MacAddress.Parse("02:00:00:00:00:01");
        var eth0 = host.AddDevice("eth0", DeviceType.Ethernet, mac);
        host.AddAddress(eth0, Ipv4Address.Parse("10.0.0.1"), 24);
        var sink = new CountingSink();
        var net = new NetNamespace(host, log: sink) { Transmitter = new NullTransmitter() };
        net.Load(store.Ruleset);

        var peer = Ipv4Address.Parse("10.0.0.2");
        var ip = new IpFields(peer, Ipv4Address.Parse("10.0.0.1"));
        byte[][] frames =
        [
            PacketBuilder.Ethernet(mac, mac, PacketBuilder.Tcp(ip, 1000, 22, TcpHeader.Syn, 1, options: [2, 4, 5, 180])),
            PacketBuilder.Ethernet(mac, mac, PacketBuilder.Udp(ip, 1000, 53, "query"u8)),
            PacketBuilder.Ethernet(mac, mac, PacketBuilder.Echo(ip, 1, 1, new byte[56])),
            PacketBuilder.Ethernet(mac, mac, PacketBuilder.Tcp(ip, 1000, 80, TcpHeader.Syn, 1)),
            PacketBuilder.Ethernet(mac, mac, PacketBuilder.Udp(ip, 1000, 99, "x"u8)),
        ];
        for (int i = 0; i < 20; i++)
        {
            foreach (var frame in frames)
            {
                net.Receive(eth0, frame);
            }
        }

        int before = sink.Lines;
        long allocated = 0;
        for (int round = 0; round < 3; round++)
        {
            // The smallest of three rounds: the runtime's own background work (tiered compilation) is not the packet path's.
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 500; i++)
            {
                foreach (var frame in frames)
                {
                    net.Receive(eth0, frame);
                }
            }

            long used = GC.GetAllocatedBytesForCurrentThread() - start;
            allocated = round == 0 ? used : Math.Min(allocated, used);
        }

        Assert.True(sink.Lines - before >= 10000, $"{sink.Lines - before} lines");
        Assert.Equal(0, allocated);
    }

    private sealed class CountingSink : IPacketLogSink
    {
        public int Lines { get; private set; }

        public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time) => Lines++;
    }

    private sealed class NullTransmitter : IPacketTransmitter
    {
        public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame)
        {
        }
    }
}
