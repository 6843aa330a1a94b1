using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The physdev match: bridge port names and flags, the OUTPUT refusal, errors, listings.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class PhysdevMatchTests
{
    [KernelFact]
    public void Physdev_Options_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A FORWARD -m physdev --physdev-in eth0 -j ACCEPT
            iptables -A FORWARD -m physdev ! --physdev-in eth+ --physdev-is-bridged
            iptables -A FORWARD -m physdev --physdev-out br0 ! --physdev-is-in --physdev-is-out
            iptables -A FORWARD -m physdev --physdev-is-out ! --physdev-is-bridged
            iptables -A INPUT -m physdev --physdev-is-in --physdev-in lo
            iptables -A INPUT -m physdev ! --physdev-is-bridged
            iptables -A INPUT -m physdev --physdev-in "a b"
            iptables -A INPUT -m physdev --physdev-in a/b
            iptables -A INPUT -m physdev --physdev-in abcdefghijklmno
            iptables -A INPUT -m physdev --physdev-in ""
            iptables -A OUTPUT -m physdev --physdev-is-out --physdev-is-bridged
            iptables -t mangle -A POSTROUTING -m physdev --physdev-out lo --physdev-is-bridged
            iptables -t mangle -A POSTROUTING -m physdev --physdev-out lo
            iptables -A INPUT -m physdev --physdev-in abcdefghijklmnop
            iptables -A INPUT -m physdev
            iptables -A INPUT -m physdev --physdev-in a --physdev-in b
            iptables -A INPUT -m physdev --physdev-in
            iptables -N p
            iptables -A p -m physdev --physdev-out x
            iptables -C FORWARD -m physdev ! --physdev-in eth+ --physdev-is-bridged
            iptables -C FORWARD -m physdev ! --physdev-in eth --physdev-is-bridged
            iptables -C INPUT -m physdev --physdev-in ""
            iptables -C INPUT -m physdev --physdev-in abcdefghijklmno
            iptables -D FORWARD -m physdev --physdev-in eth0 -j ACCEPT
            iptables -m physdev -h
            """);
        diff.CompareListings("filter", "mangle");
    }

    [KernelFact]
    public void Physdev_OutInOutput_RefusedWithKernelLog()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A OUTPUT -m physdev --physdev-out br0");
        diff.StepKernelLog("iptables -A OUTPUT -m physdev --physdev-is-out ! --physdev-is-bridged");
        diff.Steps("""
            iptables -N p
            iptables -A p -m physdev --physdev-is-out
            iptables -A FORWARD -j p
            """);
        diff.StepKernelLog("iptables -A OUTPUT -j p");
        diff.CompareListings();
    }
}
