using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The MARK target: every operation and how -L names the pair it becomes, value/mask parsing, errors, -D/-C.</summary>
public sealed class MarkTargetTests
{
    [KernelFact]
    public void MarkTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -j MARK --set-xmark 0xfeedcafe/0xfeedcafe
            iptables -A INPUT -j MARK --set-xmark 0x0
            iptables -A INPUT -j MARK --set-xmark 4294967295
            iptables -A INPUT -j MARK --set-xmark 3/7
            iptables -A INPUT -j MARK --set-xmark 5/0
            iptables -A INPUT -j MARK --set-xmark 0/0
            iptables -A INPUT -j MARK --set-mark 1
            iptables -A INPUT -j MARK --set-mark 1/3
            iptables -A INPUT -j MARK --set-mark 0
            iptables -A INPUT -j MARK --set-mark 010
            iptables -A INPUT -j MARK --set-mark 0x10/0xff00
            iptables -A FORWARD -j MARK --and-mark 0xf0
            iptables -A FORWARD -j MARK --and-mark 0
            iptables -A FORWARD -j MARK --or-mark 0
            iptables -A FORWARD -j MARK --or-mark 0x5
            iptables -A FORWARD -j MARK --xor-mark 5
            iptables -A FORWARD -j MARK --xor-mark 0
            iptables -A OUTPUT -j MARK --set-x 1/2
            iptables -A OUTPUT -j MARK --and 1
            iptables -A OUTPUT -j MARK --set 1
            iptables -A OUTPUT -j MARK --set-xmark 4294967296
            iptables -A OUTPUT -j MARK --set-xmark -1
            iptables -A OUTPUT -j MARK --set-mark 08
            iptables -A OUTPUT -j MARK --set-mark 1/
            iptables -A OUTPUT -j MARK --set-mark /1
            iptables -A OUTPUT -j MARK --set-mark 1x
            iptables -A OUTPUT -j MARK --set-mark 1/2/3
            iptables -A OUTPUT -j MARK --set-mark ""
            iptables -A OUTPUT -j MARK --and-mark 1/2
            iptables -A OUTPUT -j MARK --or-mark 4294967296
            iptables -A OUTPUT -j MARK --set-mark 1 --set-mark 2
            iptables -A OUTPUT -j MARK --set-mark 1 --or-mark 2
            iptables -A OUTPUT -j MARK --xor-mark 1 --set-xmark 2
            iptables -A OUTPUT -j MARK ! --set-mark 1
            iptables -A OUTPUT -j MARK
            iptables -A OUTPUT -j MARK --set-mark
            iptables -A OUTPUT -j MARK -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void MarkTarget_AnyTableAndDeleteBySpecification()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -j MARK --set-mark 1
            iptables -t nat -A OUTPUT -j MARK --or-mark 2
            iptables -t raw -A OUTPUT -j MARK --xor-mark 3
            iptables -A INPUT -j MARK --set-mark 7
            iptables -A INPUT -j MARK --or-mark 4
            iptables -C INPUT -j MARK --set-xmark 7/0xffffffff
            iptables -C INPUT -j MARK --set-xmark 4/4
            iptables -C INPUT -j MARK --set-mark 4
            iptables -C INPUT -j MARK --set-mark 4/4
            iptables -D INPUT -j MARK --set-xmark 7
            iptables -D INPUT -j MARK --set-xmark 7
            iptables -D INPUT -j MARK --set-mark 0/4
            iptables -t nat -D OUTPUT -j MARK --set-xmark 2/2
            """);
        diff.CompareListings("filter", "mangle", "nat", "raw");
    }
}
