using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The pkttype match: every type name and alias, case, inversion, errors, listings.</summary>
public sealed class PkttypeMatchTests
{
    [KernelFact]
    public void PkttypeMatch_AllTypes_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m pkttype -h
            iptables -A INPUT -m pkttype --pkt-type unicast -j ACCEPT
            iptables -A INPUT -m pkttype --pkt-type BROADCAST
            iptables -A INPUT -m pkttype ! --pkt-type mcast
            iptables -A INPUT -m pkttype --pkt-type otherhost
            iptables -A INPUT -m pkttype --pkt-type host
            iptables -A INPUT -m pkttype --pkt-type Bcast
            iptables -A FORWARD -m pkttype ! --pkt-type multicast -j DROP
            iptables -A INPUT -m pkttype --pkt-type wrong
            iptables -A INPUT -m pkttype --pkt-type uni
            iptables -A INPUT -m pkttype --pkt-type ""
            iptables -A INPUT -m pkttype
            iptables -A INPUT -m pkttype --pkt-type unicast --pkt-type broadcast
            iptables -A INPUT -m pkttype --pkt-type
            iptables -D INPUT -m pkttype --pkt-type host -j ACCEPT
            iptables -C INPUT -m pkttype --pkt-type bcast
            iptables -C INPUT -m pkttype --pkt-type multicast
            iptables -C INPUT -m pkttype ! --pkt-type multicast
            """);
        diff.CompareListings();
    }
}
