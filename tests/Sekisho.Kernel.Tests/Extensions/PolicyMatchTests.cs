using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The policy match: elements, strict mode, inversions, the direction/hook refusals, listings.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class PolicyMatchTests
{
    [KernelFact]
    public void Policy_Elements_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m policy --dir in --pol ipsec -j ACCEPT
            iptables -A INPUT -m policy --dir in --pol none
            iptables -A INPUT -m policy --dir in --pol ipsec --proto esp
            iptables -A INPUT -m policy --dir in --pol ipsec --proto ipcomp ! --reqid 5 --spi 0x10 ! --mode tunnel
            iptables -A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto ah --next --mode tunnel --tunnel-src 10.0.0.0/8 ! --tunnel-dst 192.0.2.1
            iptables -A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4
            iptables -A INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1 ! --mode transport
            iptables -A INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1/32 --mode tunnel
            iptables -A INPUT -m policy --dir in --pol ipsec --proto 50
            iptables -A INPUT -m policy --dir in --pol none --reqid 5
            iptables -A FORWARD -m policy --dir in --pol ipsec
            iptables -A FORWARD -m policy --dir out --pol none
            iptables -A OUTPUT -m policy --dir out --pol ipsec --spi 4294967295
            iptables -t nat -A POSTROUTING -m policy --dir out --pol none
            iptables -C INPUT -m policy --dir in --pol none --reqid 5
            iptables -C INPUT -m policy --dir in --pol none
            iptables -C INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1/32 --mode tunnel
            iptables -C INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1 --mode tunnel
            iptables -D INPUT -m policy --dir in --pol ipsec -j ACCEPT
            iptables -m policy -h
            """);
        diff.CompareListings("filter", "nat");
    }

    [KernelFact]
    public void Policy_BadElementsAndHooks_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next --reqid 2 --next --reqid 3 --next --reqid 4 --next --reqid 5
            iptables -A INPUT -m policy --dir in --pol ipsec --strict
            iptables -A INPUT -m policy --dir in --pol ipsec --strict --reqid 1 --next
            iptables -A INPUT -m policy --dir in --pol ipsec --reqid 1 --next --reqid 2
            iptables -A INPUT -m policy --dir in --pol none --strict
            iptables -A INPUT -m policy --dir in --pol none --strict --reqid 5 --next
            iptables -A INPUT -m policy --dir in --pol ipsec --tunnel-src 10.0.0.1
            iptables -A INPUT -m policy --dir in --pol ipsec --tunnel-dst 10.0.0.1 ! --mode tunnel
            iptables -A INPUT -m policy --dir in --pol ipsec --reqid 1 --reqid 2
            iptables -A INPUT -m policy --dir in --pol ipsec --spi 1 --spi 2
            iptables -A INPUT -m policy --dir in --pol ipsec --proto tcp
            iptables -A INPUT -m policy --dir in --pol ipsec --proto esp --proto ah
            iptables -A INPUT -m policy --dir in --pol ipsec --mode foo
            iptables -A INPUT -m policy --dir in --pol ipsec --mode tunnel --mode tunnel
            iptables -A INPUT -m policy --dir sideways --pol ipsec
            iptables -A INPUT -m policy --dir in --pol foo
            iptables -A INPUT -m policy --pol ipsec
            iptables -A INPUT -m policy
            iptables -A INPUT -m policy --dir in --dir out
            iptables -A INPUT -m policy ! --dir in
            iptables -A INPUT -m policy --dir in ! --strict
            iptables -N pol
            iptables -A pol -m policy --dir out --pol ipsec
            """);
        diff.StepKernelLog("iptables -A INPUT -m policy --dir out --pol ipsec");
        diff.StepKernelLog("iptables -A OUTPUT -m policy --dir in --pol ipsec");
        diff.StepKernelLog("iptables -t nat -A PREROUTING -m policy --dir out --pol none");
        diff.StepKernelLog("iptables -A INPUT -j pol");
        diff.Step("iptables -A OUTPUT -j pol");
        diff.CompareListings("filter", "nat");
    }
}
