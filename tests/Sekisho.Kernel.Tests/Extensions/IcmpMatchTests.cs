using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The icmp match: type names and prefixes, numeric types and codes, inversions, errors, listings.</summary>
public sealed class IcmpMatchTests
{
    [KernelFact]
    public void IcmpMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
            iptables -A INPUT -p icmp --icmp-type ping
            iptables -A INPUT -p icmp --icmp-type PONG
            iptables -A INPUT -p icmp ! --icmp-type 8
            iptables -A INPUT -p icmp --icmp-type 3/1
            iptables -A INPUT -p icmp --icmp-type 3/1:4
            iptables -A INPUT -p icmp ! --icmp-type 3/1:4
            iptables -A INPUT -p icmp --icmp-type 3/0:255
            iptables -A INPUT -p icmp --icmp-type 3/13
            iptables -A INPUT -p icmp --icmp-type port-unr
            iptables -A INPUT -p icmp --icmp-type any
            iptables -A INPUT -p icmp ! --icmp-type any
            iptables -A INPUT -p icmp --icmp-type 255/0:255
            iptables -A INPUT -p icmp --icmp-type 40
            iptables -A INPUT -p icmp --icmp-type 5/3
            iptables -A INPUT -p icmp --icmp-type ttl-zero-during-reassembly
            iptables -A INPUT -p icmp --icmp-type 0x8/0
            iptables -A INPUT -p icmp --icmp-type 11:11
            iptables -A INPUT -p icmp --icmp-type tos-host-red
            iptables -A INPUT -p 1 --icmp-type redirect
            iptables -A INPUT -p icmp -m icmp --icmp-type address-mask-reply -m icmp ! --icmp-type timestamp-reply
            iptables -A OUTPUT -p icmp --icmp-type echo-reply -j DROP
            iptables -A INPUT -p icmp --icmp-type echo
            iptables -A INPUT -p icmp --icmp-type ""
            iptables -A INPUT -p icmp --icmp-type host-un
            iptables -A INPUT -p icmp --icmp-type foo
            iptables -A INPUT -p icmp --icmp-type 256
            iptables -A INPUT -p icmp --icmp-type 3:4
            iptables -A INPUT -p icmp --icmp-type 3:4/1
            iptables -A INPUT -p icmp --icmp-type 3/x
            iptables -A INPUT -p icmp --icmp-type 3x
            iptables -A INPUT -p icmp --icmp-type 3/4x
            iptables -A INPUT -p icmp --icmp-type 3/4:300
            iptables -A INPUT -p icmp --icmp-type -3
            iptables -A INPUT -p icmp -m icmp
            iptables -A INPUT -m icmp --icmp-type 8
            iptables -A INPUT -p tcp -m icmp --icmp-type 8
            iptables -A INPUT -p icmp --icmp-type 8 --icmp-type 0
            iptables -A INPUT -p icmp --icmp-type
            iptables -A INPUT --icmp-type 8
            iptables -D INPUT -p icmp --icmp-type ping -j ACCEPT
            iptables -C INPUT -p icmp --icmp-type 8
            iptables -C INPUT -p icmp --icmp-type 3/2:4
            iptables -C INPUT -p icmp --icmp-type 3/1:4
            iptables -C INPUT -p icmp --icmp-type destination-unreachable
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void IcmpMatch_Help_AndRestore_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -p icmp -h
            iptables -m icmp -h
            iptables -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
            iptables -A INPUT -p icmp ! --icmp-type 3/3
            """);
        string saved = diff.Step("iptables-save").Stdout;
        diff.Step("iptables -F");
        diff.Step("iptables-restore", saved);
        diff.CompareListings();
    }
}
