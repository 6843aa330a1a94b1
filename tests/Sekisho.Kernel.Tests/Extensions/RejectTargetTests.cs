using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The REJECT target: every type and alias, abbreviations, errors, and the kernel's table/hook/protocol refusals.</summary>
public sealed class RejectTargetTests
{
    [KernelFact]
    public void RejectTarget_AllTypes_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -j REJECT
            iptables -A INPUT -s 10.0.0.1 -j REJECT --reject-with icmp-net-unreachable
            iptables -A INPUT -j REJECT --reject-with net-unreach
            iptables -A INPUT -j REJECT --reject-with icmp-host-unreachable
            iptables -A INPUT -j REJECT --reject-with host-unreach
            iptables -A FORWARD -j REJECT --reject-with icmp-proto-unreachable
            iptables -A FORWARD -j REJECT --reject-with proto-unreach
            iptables -A FORWARD -j REJECT --reject-with icmp-port-unreachable
            iptables -A FORWARD -j REJECT --reject-with port-unreach
            iptables -A OUTPUT -j REJECT --reject-with icmp-net-prohibited
            iptables -A OUTPUT -j REJECT --reject-with net-prohib
            iptables -A OUTPUT -j REJECT --reject-with icmp-host-prohibited
            iptables -A OUTPUT -j REJECT --reject-with host-prohib
            iptables -A OUTPUT -j REJECT --reject-with icmp-admin-prohibited
            iptables -A OUTPUT -j REJECT --reject-with admin-prohib
            iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
            iptables -A INPUT -p tcp --dport 113 -j REJECT --reject-with tcp-rst
            iptables -A INPUT -p 6 -j REJECT --reject-with TCP-RESET
            iptables -A INPUT -j REJECT --reject-with ICMP-HOST-PROHIBITED
            iptables -A INPUT -j REJECT --reject-with icmp-host
            iptables -A INPUT -j REJECT --reject-with icmp
            iptables -A INPUT -j REJECT --reject-with adm
            iptables -A INPUT -j REJECT --reject-with tcp
            iptables -A INPUT -p tcp -j REJECT --reject-with tcp
            iptables -A INPUT -j REJECT --reject-with ""
            iptables -A INPUT -j REJECT --reject
            iptables -A INPUT -j REJECT --reject-with port-unreach --reject-with net-prohib
            iptables -A INPUT -j REJECT --reject-with bogus
            iptables -A INPUT -j REJECT --reject-with echo-reply
            iptables -A INPUT -j REJECT --reject-with echo
            iptables -A INPUT -j REJECT --reject-with echoreply
            iptables -A INPUT -j REJECT --reject-with icmp-port-unreachablex
            iptables -A INPUT -j REJECT ! --reject-with tcp-reset
            iptables -A INPUT -j REJECT --reject-with
            iptables -A INPUT -j REJECT --bogus
            iptables -A INPUT -j REJECT -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void RejectTarget_KernelRefusals_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p udp -j REJECT --reject-with tcp-reset
            iptables -A INPUT -j REJECT --reject-with tcp-reset
            iptables -A INPUT ! -p tcp -j REJECT --reject-with tcp-reset
            iptables -A INPUT -p all -j REJECT --reject-with tcp-reset
            iptables -t mangle -A INPUT -j REJECT
            iptables -t mangle -A FORWARD -p tcp -j REJECT --reject-with tcp-reset
            iptables -t raw -A PREROUTING -j REJECT
            iptables -t raw -A OUTPUT -j REJECT
            iptables -t nat -A OUTPUT -j REJECT
            iptables -N custom
            iptables -A custom -j REJECT --reject-with icmp-host-prohibited
            iptables -A INPUT -j custom
            iptables -A custom -p udp -j REJECT --reject-with tcp-reset
            iptables -A custom -p tcp -j REJECT --reject-with tcp-reset
            iptables -t mangle -N custom
            iptables -t mangle -A custom -j REJECT
            """);
        diff.CompareListings("filter", "mangle");
    }

    [KernelFact]
    public void RejectTarget_DeleteAndCheck_BySpecification()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -j REJECT
            iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited
            iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
            iptables -C INPUT -j REJECT --reject-with icmp-port-unreachable
            iptables -C INPUT -j REJECT --reject-with port-unreach
            iptables -C INPUT -j REJECT --reject-with host-prohib
            iptables -C INPUT -j REJECT --reject-with net-prohib
            iptables -C INPUT -p tcp -j REJECT
            iptables -D INPUT -j REJECT --reject-with host-prohib
            iptables -D INPUT -j REJECT --reject-with host-prohib
            iptables -D INPUT -p tcp -j REJECT --reject-with tcp-rst
            iptables -D INPUT -j REJECT
            """);
        diff.CompareListings();
    }
}
