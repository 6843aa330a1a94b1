using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The recent match: actions, modifiers, names, masks, the kernel's refusals, listings.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class RecentMatchTests
{
    [KernelFact]
    public void Recent_Options_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m recent --set -j ACCEPT
            iptables -A INPUT -m recent ! --rcheck --seconds 60 --hitcount 4 --rttl --name SSH --rdest
            iptables -A INPUT -m recent --update --seconds 4294967295 --reap --name a
            iptables -A INPUT -m recent --remove --name b --mask 255.255.255.0
            iptables -A INPUT -m recent --rcheck --hitcount 65535
            iptables -A INPUT -m recent --rcheck --hitcount 2147483648
            iptables -A INPUT -m recent --set --name "a b"
            iptables -A INPUT -m recent --set --mask 0.0.0.0 --rsource --rdest
            iptables -A INPUT -m recent --set --mask 255.255.255.255
            iptables -A INPUT -m recent --set --mask 10
            iptables -A INPUT -m recent --rcheck --hitcount 8 --name foo --mask 255.255.255.255 --rsource -m recent --rcheck --hitcount 12 --name foo --mask 255.255.255.255 --rsource
            iptables -C INPUT -m recent --set --mask 255.255.255.255 -j ACCEPT
            iptables -C INPUT -m recent --set -j ACCEPT
            iptables -C INPUT -m recent --set --name DEFAULT --rsource -j ACCEPT
            iptables -C INPUT -m recent --set --mask 255.255.255.255
            iptables -D INPUT -m recent --remove --name b --mask 255.255.255.0
            iptables -m recent -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Recent_BadCombinations_RefusedLikeKernel()
    {
        string longName = new('n', 250);
        using var diff = new Differential();
        diff.Steps($"""
            iptables -A INPUT -m recent --set --rttl
            iptables -A INPUT -m recent --rcheck --reap
            iptables -A INPUT -m recent --set --rcheck
            iptables -A INPUT -m recent --set --set
            iptables -A INPUT -m recent --seconds 5
            iptables -A INPUT -m recent
            iptables -A INPUT -m recent --rcheck --seconds 0
            iptables -A INPUT -m recent --rcheck --hitcount 4294967296
            iptables -A INPUT -m recent --set --mask 300.1.1.1
            iptables -A INPUT -m recent --set --mask 10.0.0.0/8
            iptables -A INPUT -m recent --set ! --rttl
            iptables -A INPUT -m recent --set --seconds 5
            iptables -A INPUT -m recent --set --hitcount 5
            iptables -A INPUT -m recent --remove --reap --seconds 5
            iptables -A INPUT -m recent --set --name ""
            iptables -A INPUT -m recent --set --name .
            iptables -A INPUT -m recent --set --name ..
            iptables -A INPUT -m recent --set --name a/b
            iptables -A INPUT -m recent --set --name {longName}
            """);
        diff.StepKernelLog("iptables -A INPUT -m recent --rcheck --hitcount 65536");
        diff.CompareListings();
    }
}
