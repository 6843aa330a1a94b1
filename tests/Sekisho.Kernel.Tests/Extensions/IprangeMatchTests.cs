using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The iprange match: ranges, single and short addresses, reversed ranges, inversions, errors, listings.</summary>
public sealed class IprangeMatchTests
{
    [KernelFact]
    public void IprangeMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m iprange -h
            iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.10 -j ACCEPT
            iptables -A INPUT -m iprange ! --dst-range 192.0.2.1-192.0.2.200
            iptables -A INPUT -m iprange --src-range 10.0.0.5
            iptables -A INPUT -m iprange --src-range 10.1-10.2
            iptables -A INPUT -m iprange --dst-range 10
            iptables -A INPUT -m iprange --src-range 10.0.0.10-10.0.0.1
            iptables -A INPUT -m iprange --src-range 198.51.100.1-198.51.100.9 ! --dst-range 10.0.0.1-10.0.0.2
            iptables -A INPUT -m iprange ! --src-range 0.0.0.0-255.255.255.255
            iptables -A INPUT -m iprange --src-range 010.0.0.1-0x0a.0.0.2
            iptables -A OUTPUT -m iprange --dst-range 10.9.8.7-10.9.8.7 -j DROP
            iptables -A INPUT -m iprange --src-range foo
            iptables -A INPUT -m iprange --src-range 10.0.0.1-bar
            iptables -A INPUT -m iprange --src-range 10.0.0.1-10.0.0.2-10.0.0.3
            iptables -A INPUT -m iprange --src-range 256.0.0.1
            iptables -A INPUT -m iprange --src-range 10.0.0.1/24
            iptables -A INPUT -m iprange --dst-range -10.0.0.1
            iptables -A INPUT -m iprange --dst-range 10.0.0.1-
            iptables -A INPUT -m iprange --src-range ""
            iptables -A INPUT -m iprange
            iptables -A INPUT -m iprange --src-range 10.0.0.1 --src-range 10.0.0.2
            iptables -A INPUT -m iprange --src-range
            iptables -D INPUT -m iprange --src-range 10.0.0.1-10.0.0.10 -j ACCEPT
            iptables -C INPUT -m iprange --src-range 10.0.0.5-10.0.0.5
            iptables -C INPUT -m iprange --src-range 10.1.0.0-10.2.0.0
            iptables -C INPUT -m iprange --dst-range 192.0.2.1-192.0.2.200
            iptables -C INPUT -m iprange ! --dst-range 192.0.2.1-192.0.2.200
            """);
        diff.CompareListings();
    }
}
