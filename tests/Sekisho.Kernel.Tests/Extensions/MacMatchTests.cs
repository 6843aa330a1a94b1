using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The mac match: address forms, inversion, errors, and the kernel's hook restriction in every table.</summary>
public sealed class MacMatchTests
{
    [KernelFact]
    public void MacMatch_Addresses_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m mac -h
            iptables -A INPUT -m mac --mac-source 02:00:00:00:00:01 -j ACCEPT
            iptables -A FORWARD -m mac ! --mac-source 2:0:0:0:0:FF
            iptables -A INPUT -m mac --mac-source AA:bb:Cc:dD:0e:F0
            iptables -A INPUT -m mac --mac-source :::::
            iptables -A INPUT -m mac --mac-source 02:00:00:00:00
            iptables -A INPUT -m mac --mac-source 02:00:00:00:00:00:00
            iptables -A INPUT -m mac --mac-source 002:00:00:00:00:00
            iptables -A INPUT -m mac --mac-source zz:00:00:00:00:00
            iptables -A INPUT -m mac --mac-source 02-00-00-00-00-01
            iptables -A INPUT -m mac --mac-source 02:00:00:00:00:01 --mac-source 02:00:00:00:00:02
            iptables -A INPUT -m mac
            iptables -A INPUT -m mac --mac-source
            iptables -D INPUT -m mac --mac-source 2:0:0:0:0:1 -j ACCEPT
            iptables -C INPUT -m mac --mac-source aa:bb:cc:dd:0e:f0
            iptables -C INPUT -m mac ! --mac-source aa:bb:cc:dd:0e:f0
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void MacMatch_Hooks_RefusedAsByKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A OUTPUT -m mac --mac-source 02:00:00:00:00:01
            iptables -t raw -A PREROUTING -m mac --mac-source 02:00:00:00:00:01
            iptables -t raw -A OUTPUT -m mac --mac-source 02:00:00:00:00:01
            iptables -t mangle -A PREROUTING -m mac --mac-source 02:00:00:00:00:01
            iptables -t mangle -A INPUT -m mac --mac-source 02:00:00:00:00:02
            iptables -t mangle -A FORWARD -m mac --mac-source 02:00:00:00:00:03
            iptables -t mangle -A OUTPUT -m mac --mac-source 02:00:00:00:00:04
            iptables -t mangle -A POSTROUTING -m mac --mac-source 02:00:00:00:00:05
            iptables -t nat -A PREROUTING -m mac --mac-source 02:00:00:00:00:01
            iptables -t nat -A INPUT -m mac --mac-source 02:00:00:00:00:01
            iptables -t nat -A OUTPUT -m mac --mac-source 02:00:00:00:00:01
            iptables -t nat -A POSTROUTING -m mac --mac-source 02:00:00:00:00:01
            iptables -N MACS
            iptables -A MACS -m mac --mac-source 02:00:00:00:00:09
            iptables -A INPUT -j MACS
            iptables -A FORWARD -j MACS
            iptables -A OUTPUT -j MACS
            iptables -I OUTPUT -g MACS
            iptables -N LATER
            iptables -A OUTPUT -j LATER
            iptables -A LATER -m mac --mac-source 02:00:00:00:00:0a
            """);
        diff.CompareListings("filter", "raw", "mangle", "nat");
    }
}
