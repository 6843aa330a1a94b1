using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The connlimit match: above/upto and their inversions, masks, address selection, errors, listings.</summary>
public sealed class ConnlimitMatchTests
{
    [KernelFact]
    public void Connlimit_Options_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p tcp --syn -m connlimit --connlimit-above 5 -j DROP
            iptables -A INPUT -m connlimit --connlimit-upto 5
            iptables -A INPUT -m connlimit ! --connlimit-above 5
            iptables -A INPUT -m connlimit ! --connlimit-upto 5
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 24 --connlimit-daddr
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 0 --connlimit-saddr
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 32
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 255.255.0.0
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 255.0.255.0
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 33
            iptables -A INPUT -m connlimit --connlimit-above 0
            iptables -A INPUT -m connlimit --connlimit-above 4294967295 --connlimit-daddr --connlimit-mask 8
            iptables -A INPUT -m connlimit --connlimit-daddr --connlimit-upto 1
            iptables -C INPUT -m connlimit --connlimit-above 5 --connlimit-mask 32
            iptables -C INPUT -m connlimit --connlimit-above 5 --connlimit-mask 32 --connlimit-saddr
            iptables -C INPUT -m connlimit --connlimit-above 5 --connlimit-mask 255.255.255.255
            iptables -C INPUT -m connlimit --connlimit-above 5 --connlimit-mask 1.2.3.4
            iptables -C INPUT -m connlimit --connlimit-upto 5 --connlimit-mask 32 --connlimit-saddr
            iptables -D INPUT -m connlimit --connlimit-upto 5
            iptables -m connlimit -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Connlimit_BadValues_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m connlimit
            iptables -A INPUT -m connlimit --connlimit-mask 8
            iptables -A INPUT -m connlimit --connlimit-above -1
            iptables -A INPUT -m connlimit --connlimit-upto -1
            iptables -A INPUT -m connlimit --connlimit-above 4294967296
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-upto 3
            iptables -A INPUT -m connlimit --connlimit-upto 1 --conlimit-above 1
            iptables -A INPUT -m connlimit --connlimit-above 10 --connlimit-saddr --connlimit-daddr
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask x
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask -1
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-mask 1.2.3
            iptables -A INPUT -m connlimit --connlimit-above 5 ! --connlimit-mask 8
            iptables -A INPUT -m connlimit --connlimit-above 5 --connlimit-above 6
            """);
        diff.CompareListings();
    }
}
