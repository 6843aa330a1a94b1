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
        lab.AssertCounters();
    }
}
