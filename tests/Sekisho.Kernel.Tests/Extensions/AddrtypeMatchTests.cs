using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The addrtype match: type lists and prefixes, inversions, interface limits and their hook restrictions.</summary>
public sealed class AddrtypeMatchTests
{
    [KernelFact]
    public void AddrtypeMatch_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m addrtype -h
            iptables -A INPUT -m addrtype --dst-type LOCAL -j ACCEPT
            iptables -A INPUT -m addrtype ! --src-type BROADCAST,MULTICAST
            iptables -A INPUT -m addrtype --src-type unicast --dst-type local --limit-iface-in
            iptables -A INPUT -m addrtype ! --src-type unicast ! --dst-type local
            iptables -A OUTPUT -m addrtype --src-type LOCAL --limit-iface-out
            iptables -A FORWARD -m addrtype --dst-type BLACKHOLE,UNREACHABLE,PROHIBIT,THROW,NAT,XRESOLVE,ANYCAST,UNSPEC
            iptables -A FORWARD -m addrtype --dst-type xresolve,nat,local
            iptables -A INPUT -m addrtype --src-type L
            iptables -A INPUT -m addrtype --src-type U
            iptables -A INPUT -m addrtype --src-type b,m,a
            iptables -A INPUT -m addrtype --src-type LOCAL,,UNICAST
            iptables -A INPUT -m addrtype --src-type LOCAL,
            iptables -A INPUT -m addrtype --src-type ,LOCAL
            iptables -A INPUT -m addrtype --src-type FOO,LOCAL
            iptables -A INPUT -m addrtype --src-type LOCAL,FOO
            iptables -A INPUT -m addrtype --src-type LOCALS
            iptables -A INPUT -m addrtype --src-type ""
            iptables -A INPUT -m addrtype --limit-iface-in
            iptables -A INPUT -m addrtype
            iptables -A INPUT -m addrtype --src-type LOCAL --limit-iface-in --limit-iface-out
            iptables -A INPUT -m addrtype --src-type LOCAL --src-type UNICAST
            iptables -A INPUT -m addrtype --src-type LOCAL --limit-iface-in --limit-iface-in
            iptables -A INPUT -m addrtype --src-type LOCAL ! --limit-iface-in
            iptables -A INPUT -m addrtype --src-type
            iptables -D INPUT -m addrtype --dst-type LOCAL -j ACCEPT
            iptables -C INPUT -m addrtype ! --src-type MULTICAST,BROADCAST
            iptables -C INPUT -m addrtype --src-type BROADCAST,MULTICAST
            iptables -C INPUT -m addrtype --src-type UNICAST --dst-type LOCAL --limit-iface-in
            iptables -C INPUT -m addrtype --src-type UNICAST --dst-type LOCAL
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void AddrtypeMatch_InterfaceLimits_RefusedInHooksAsByKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m addrtype --src-type LOCAL --limit-iface-out
            iptables -A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in
            iptables -A FORWARD -m addrtype --src-type LOCAL --limit-iface-in
            iptables -A FORWARD -m addrtype --src-type LOCAL --limit-iface-out
            iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in
            iptables -t nat -A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-out
            iptables -t nat -A POSTROUTING -m addrtype --src-type LOCAL --limit-iface-out
            iptables -t nat -A POSTROUTING -m addrtype --src-type LOCAL --limit-iface-in
            iptables -t nat -A OUTPUT -m addrtype --src-type LOCAL --limit-iface-in
            iptables -t nat -A INPUT -m addrtype --src-type LOCAL --limit-iface-out
            iptables -t mangle -A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-in
            iptables -t mangle -A POSTROUTING -m addrtype --dst-type LOCAL --limit-iface-out
            iptables -t raw -A PREROUTING -m addrtype --dst-type LOCAL --limit-iface-out
            iptables -t raw -A OUTPUT -m addrtype --dst-type LOCAL --limit-iface-out
            iptables -N LIMITIN
            iptables -A LIMITIN -m addrtype --dst-type LOCAL --limit-iface-in
            iptables -A INPUT -j LIMITIN
            iptables -A FORWARD -j LIMITIN
            iptables -A OUTPUT -j LIMITIN
            iptables -N LIMITOUT
            iptables -A OUTPUT -j LIMITOUT
            iptables -A LIMITOUT -m addrtype --dst-type LOCAL --limit-iface-out
            iptables -A INPUT -g LIMITOUT
            """);
        diff.CompareListings("filter", "nat", "mangle", "raw");
    }
}
