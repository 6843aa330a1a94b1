using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The CONNMARK target (revision 2): set/save/restore, masks, shifts, exclusions, kernel refusals, -D/-C.</summary>
public sealed class ConnmarkTargetTests
{
    [KernelFact]
    public void ConnmarkTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark
            iptables -t mangle -A PREROUTING -j CONNMARK --save-mark
            iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --nfmask 0xfffffff --ctmask 0xffffffff
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xfffffff --ctmask 0xffffffff
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --mask 0xff
            iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --mask 0xff
            iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --nfmask 0xf --ctmask 0xf0
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --ctmask 0xf --nfmask 0xf0
            iptables -t mangle -A PREROUTING -j CONNMARK --save-mark --ctmask 3
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 3
            iptables -t mangle -A FORWARD -j CONNMARK --set-xmark 3/7
            iptables -t mangle -A FORWARD -j CONNMARK --set-xmark 3
            iptables -t mangle -A FORWARD -j CONNMARK --set-xmark 0/0
            iptables -t mangle -A FORWARD -j CONNMARK --set-mark 3/7
            iptables -t mangle -A FORWARD -j CONNMARK --set-mark 0
            iptables -t mangle -A FORWARD -j CONNMARK --set-mark 1
            iptables -t mangle -A FORWARD -j CONNMARK --and-mark 0xff
            iptables -t mangle -A FORWARD -j CONNMARK --or-mark 3
            iptables -t mangle -A FORWARD -j CONNMARK --xor-mark 3
            iptables -t mangle -A FORWARD -j CONNMARK --ctmask 5 --set-mark 1
            iptables -t mangle -A FORWARD -j CONNMARK --set-mark 1 --ctmask 5
            iptables -t mangle -A FORWARD -j CONNMARK --set-mark 1 --nfmask 5
            iptables -t mangle -A OUTPUT -j CONNMARK --set-mark 1 --left-shift-mark 3
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --right-shift-mark 31
            iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --left-shift-mark 0
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --left-shift-mark 1 --right-shift-mark 2
            iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --mask 0xf0 --right-shift-mark 4
            iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --right-shift-mark 33
            iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --left-shift-mark -1
            iptables -t mangle -A OUTPUT -j CONNMARK --left-shift-mark 4
            iptables -t mangle -A OUTPUT -j CONNMARK --mask 4
            iptables -t mangle -A OUTPUT -j CONNMARK
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --mask 1 --ctmask 1
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --nfmask 1 --mask 1
            iptables -t mangle -A OUTPUT -j CONNMARK --set-mark 1 --save-mark
            iptables -t mangle -A OUTPUT -j CONNMARK --restore-mark --save-mark
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --save-mark
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --ctmask 1 --ctmask 2
            iptables -t mangle -A OUTPUT -j CONNMARK --set-mark 1/2/3
            iptables -t mangle -A OUTPUT -j CONNMARK --and-mark 0x100000000
            iptables -t mangle -A OUTPUT -j CONNMARK --save
            iptables -t mangle -A OUTPUT -j CONNMARK --rest --ct 1
            iptables -t mangle -A OUTPUT -j CONNMARK --set-x 1/1
            iptables -t mangle -A OUTPUT -j CONNMARK --set 1
            iptables -t mangle -A OUTPUT -j CONNMARK ! --save-mark
            iptables -t mangle -A OUTPUT -j CONNMARK -h
            """);
        diff.CompareListings("mangle");
    }

    [KernelFact]
    public void ConnmarkTarget_KernelRefusalsAnyTableAndDelete()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A OUTPUT -j CONNMARK --save-mark --right-shift-mark 32
            iptables -t mangle -A OUTPUT -j CONNMARK --set-mark 5 --left-shift-mark 32
            iptables -A INPUT -j CONNMARK --set-mark 1
            iptables -t nat -A PREROUTING -j CONNMARK --save-mark
            iptables -t raw -A OUTPUT -j CONNMARK --restore-mark
            iptables -A INPUT -j CONNMARK --save-mark --mask 0xff
            iptables -A INPUT -j CONNMARK --restore-mark --left-shift-mark 2
            iptables -C INPUT -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff
            iptables -C INPUT -j CONNMARK --save-mark --mask 0xff --left-shift-mark 0
            iptables -C INPUT -j CONNMARK --restore-mark
            iptables -C INPUT -j CONNMARK --set-xmark 1
            iptables -C INPUT -j CONNMARK --set-xmark 1/0xffffffff
            iptables -D INPUT -j CONNMARK --restore-mark --left-shift-mark 2
            iptables -D INPUT -j CONNMARK --restore-mark --left-shift-mark 2
            iptables -D INPUT -j CONNMARK --set-mark 1
            """);
        diff.CompareListings("filter", "mangle", "nat", "raw");
    }
}
