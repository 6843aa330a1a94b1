using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>The iptables commands of the two seed documents, on the kernel and on Sekisho.</summary>
public sealed class SeedDocumentTests
{
    [KernelFact]
    public void SeedDocument000_Commands_ListAndSaveLikeTheKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables -L");
        diff.Step("iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix \"[INPUT]\"");
        diff.Step("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP");
        diff.Step("iptables -L -v");
        diff.Step("iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT");
        diff.Step("iptables -A OUTPUT -p icmp -j LOG --log-prefix \"[OUTPUT] \"");
        diff.CompareListings();
    }

    [KernelFact]
    public void SeedDocument001_Ruleset_ListsLikeTheKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
            iptables -A INPUT -p icmp -j ACCEPT
            iptables -A INPUT -i lo -j ACCEPT
            iptables -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
            iptables -A INPUT -j REJECT --reject-with icmp-host-prohibited
            iptables -A FORWARD -j REJECT --reject-with icmp-host-prohibited
            """);
        diff.CompareListings();
    }
}
