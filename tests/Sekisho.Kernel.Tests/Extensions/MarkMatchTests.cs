using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The mark and connmark matches: values, masks, inversion, number forms, errors, listings.</summary>
public sealed class MarkMatchTests
{
    [KernelFact]
    public void Mark_ValuesAndMasks_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m mark --mark 0x1 -j ACCEPT
            iptables -A INPUT -m mark ! --mark 0x10/0xff
            iptables -A INPUT -m mark --mark 4294967295/0
            iptables -A INPUT -m mark --mark 017/0x0F
            iptables -A INPUT -m mark --mark 0xfeedcafe/0xfeedcafe
            iptables -A INPUT -m mark --mark 0/0xffffffff
            iptables -A INPUT -m mark --mark 1 -m mark ! --mark 2
            iptables -A INPUT -m mark --mark 4294967296
            iptables -A INPUT -m mark --mark -1
            iptables -A INPUT -m mark --mark 1/2/3
            iptables -A INPUT -m mark --mark 1/
            iptables -A INPUT -m mark --mark 1x
            iptables -A INPUT -m mark --mark ""
            iptables -A INPUT -m mark
            iptables -A INPUT -m mark --mark 1 --mark 2
            iptables -C INPUT -m mark ! --mark 16/255
            iptables -C INPUT -m mark --mark 1/0xffffffff -j ACCEPT
            iptables -C INPUT -m mark --mark 0
            iptables -D INPUT -m mark --mark 0/0xffffffff
            iptables -D INPUT -m mark --mark 0x1 -j ACCEPT
            iptables -m mark -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Connmark_ValuesAndMasks_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -m connmark --mark 0x1
            iptables -t mangle -A PREROUTING -m connmark ! --mark 0x1/0xf -j ACCEPT
            iptables -t mangle -A FORWARD -m connmark --mark 0xffffffff/0x0
            iptables -A INPUT -m connmark --mark 7
            iptables -t mangle -A PREROUTING -m connmark --mark 0xfffffffff
            iptables -t mangle -A PREROUTING -m connmark --mark -1
            iptables -t mangle -A PREROUTING -m connmark
            iptables -t mangle -A PREROUTING -m connmark --mark 1 ! --mark 2
            iptables -t mangle -C PREROUTING -m connmark --mark 1
            iptables -t mangle -D PREROUTING -m connmark --mark 0x1/0xffffffff
            iptables -m connmark -h
            """);
        diff.CompareListings("mangle", "filter");
    }
}
