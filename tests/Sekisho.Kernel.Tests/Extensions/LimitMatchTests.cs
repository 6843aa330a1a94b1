using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The limit match: rate units and their printing, bursts, the kernel's overflow refusal, listings.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class LimitMatchTests
{
    [KernelFact]
    public void Limit_Rates_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m limit -j ACCEPT
            iptables -A INPUT -m limit --limit 1/sec
            iptables -A INPUT -m limit --limit 1/s --limit-burst 1
            iptables -A INPUT -m limit --limit 7/minute
            iptables -A INPUT -m limit --limit 1000/hour
            iptables -A INPUT -m limit --limit 1000/day
            iptables -A INPUT -m limit --limit 60/min
            iptables -A INPUT -m limit --limit 13/m
            iptables -A INPUT -m limit --limit 3/HOUR
            iptables -A INPUT -m limit --limit 90/hour
            iptables -A INPUT -m limit --limit 10000
            iptables -A INPUT -m limit --limit 2x/sec
            iptables -A INPUT -m limit --limit 5/d --limit-burst 10000
            iptables -A INPUT -m limit --limit 1/hour --limit-burst 1000
            iptables -A INPUT -m limit --limit-burst 7 --limit 4/sec
            iptables -C INPUT -m limit --limit 3/hour --limit-burst 5 -j ACCEPT
            iptables -C INPUT -m limit --limit 1/second
            iptables -D INPUT -m limit --limit 60/minute
            iptables -m limit -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Limit_BadRates_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m limit --limit 10001
            iptables -A INPUT -m limit --limit 0
            iptables -A INPUT -m limit --limit -1
            iptables -A INPUT -m limit --limit 5/week
            iptables -A INPUT -m limit --limit 5/
            iptables -A INPUT -m limit --limit abc
            iptables -A INPUT -m limit --limit 99999999999/sec
            iptables -A INPUT -m limit --limit 4294967296
            iptables -A INPUT -m limit --limit-burst 10001
            iptables -A INPUT -m limit --limit-burst -1
            iptables -A INPUT -m limit ! --limit 1/sec
            iptables -A INPUT -m limit --limit 1/sec --limit 2/sec
            """);
        diff.StepKernelLog("iptables -A INPUT -m limit --limit-burst 0");
        diff.StepKernelLog("iptables -A INPUT -m limit --limit 1/day --limit-burst 10000");
        diff.CompareListings();
    }
}
