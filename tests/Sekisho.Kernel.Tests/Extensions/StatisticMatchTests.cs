using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The statistic match: random and nth modes, inversion, the option dependencies, errors, listings.</summary>
public sealed class StatisticMatchTests
{
    [KernelFact]
    public void Statistic_Modes_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m statistic --mode random --probability 0.5 -j DROP
            iptables -A INPUT -m statistic --mode random ! --probability 0.123456789
            iptables -A INPUT -m statistic --mode random --probability 1
            iptables -A INPUT -m statistic --mode random --probability 0
            iptables -A INPUT -m statistic --mode random --probability 1e-3
            iptables -A INPUT -m statistic --mode random --probability 0.50000000000
            iptables -A INPUT -m statistic --mode nth --every 5 --packet 2
            iptables -A INPUT -m statistic --mode nth ! --every 3 --packet 0
            iptables -A INPUT -m statistic --mode nth --every 1 --packet 0
            iptables -A INPUT -m statistic --mode nth --every 4294967295 --packet 4294967294
            iptables -A INPUT -m statistic --mode nth --packet 0 --every 2
            iptables -C INPUT -m statistic --mode random --probability 0.5000000001 -j DROP
            iptables -C INPUT -m statistic --mode nth --every 5 --packet 2
            iptables -D INPUT -m statistic --mode random --probability 0.5 -j DROP
            iptables -m statistic -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Statistic_BadCombinations_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m statistic
            iptables -A INPUT -m statistic --mode random
            iptables -A INPUT -m statistic --mode nth
            iptables -A INPUT -m statistic --mode foo
            iptables -A INPUT -m statistic --probability 0.5
            iptables -A INPUT -m statistic --mode random --probability 1.1
            iptables -A INPUT -m statistic --mode random --probability -0.1
            iptables -A INPUT -m statistic --mode random --probability abc
            iptables -A INPUT -m statistic --mode random --probability "0.5 "
            iptables -A INPUT -m statistic --mode nth --every 5
            iptables -A INPUT -m statistic --mode nth ! --every 5
            iptables -A INPUT -m statistic --mode nth --packet 2
            iptables -A INPUT -m statistic --mode nth --every 5 --packet 5
            iptables -A INPUT -m statistic --mode nth --every 0 --packet 0
            iptables -A INPUT -m statistic --mode random --probability 0.5 --every 2
            iptables -A INPUT -m statistic --mode random --probability 0.5 --packet 2
            iptables -A INPUT -m statistic --mode nth --every 2 --packet 1 --probability 0.5
            iptables -A INPUT -m statistic ! --mode random --probability 0.5
            iptables -A INPUT -m statistic --mode random --mode nth --every 2 --packet 0
            iptables -A INPUT -m statistic --mode nth --every 2 ! --packet 1
            iptables -A INPUT -m statistic --mode random --probability 0.5 --probability 0.2
            """);
        diff.CompareListings();
    }
}
