using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The NFLOG target: every option, limits, the range/size exclusion and warning, prefixes, -D/-C.</summary>
public sealed class NflogTargetTests
{
    [KernelFact]
    public void NflogTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -j NFLOG
            iptables -A INPUT -j NFLOG --nflog-group 1
            iptables -A INPUT -j NFLOG --nflog-group 65535
            iptables -A INPUT -j NFLOG --nflog-group 0
            iptables -A INPUT -j NFLOG --nflog-group 0x10
            iptables -A INPUT -j NFLOG --nflog-group 010
            iptables -A INPUT -j NFLOG --nflog-group 65536
            iptables -A INPUT -j NFLOG --nflog-group -1
            iptables -A INPUT -j NFLOG --nflog-group abc
            iptables -A INPUT -j NFLOG --nflog-group 1 --nflog-group 2
            iptables -A INPUT -j NFLOG --nflog-size 0
            iptables -A INPUT -j NFLOG --nflog-size 128
            iptables -A INPUT -j NFLOG --nflog-size 4294967295
            iptables -A INPUT -j NFLOG --nflog-size 4294967296
            iptables -A INPUT -j NFLOG --nflog-range 0
            iptables -A INPUT -j NFLOG --nflog-range 100
            iptables -A INPUT -j NFLOG --nflog-range 4294967296
            iptables -A INPUT -j NFLOG --nflog-range 1 --nflog-size 2
            iptables -A INPUT -j NFLOG --nflog-size 1 --nflog-range 2
            iptables -A INPUT -j NFLOG --nflog-threshold 1
            iptables -A INPUT -j NFLOG --nflog-threshold 0
            iptables -A INPUT -j NFLOG --nflog-threshold 65535
            iptables -A INPUT -j NFLOG --nflog-threshold 65536
            iptables -A INPUT -j NFLOG --nflog-prefix abc
            iptables -A INPUT -j NFLOG --nflog-prefix "with space"
            iptables -A INPUT -j NFLOG --nflog-prefix 'quote"and\back'
            iptables -A INPUT -j NFLOG --nflog-prefix "it's"
            iptables -A INPUT -j NFLOG --nflog-prefix ""
            iptables -A INPUT -j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx
            iptables -A INPUT -j NFLOG --nflog-prefix xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxyz
            iptables -A INPUT -j NFLOG --nflog-prefix a --nflog-prefix b
            iptables -A FORWARD -p udp -j NFLOG --nflog-prefix "fw drop" --nflog-group 7 --nflog-size 64 --nflog-threshold 10
            iptables -A FORWARD -j NFLOG --nflog-threshold 2 --nflog-range 3 --nflog-group 4 --nflog-prefix p
            iptables -A OUTPUT -j NFLOG --nflog-g 3 --nflog-t 4 --nflog-p abbreviated --nflog-s 5
            iptables -A OUTPUT -j NFLOG --nflog 3
            iptables -A OUTPUT -j NFLOG ! --nflog-group 3
            iptables -A OUTPUT -j NFLOG --nflog-group
            iptables -A OUTPUT -j NFLOG -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void NflogTarget_AnyTableAndDeleteBySpecification()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -j NFLOG --nflog-group 2
            iptables -t mangle -A PREROUTING -j NFLOG --nflog-size 20
            iptables -t raw -A PREROUTING -j NFLOG --nflog-prefix raw
            iptables -A INPUT -j NFLOG --nflog-group 5 --nflog-prefix x
            iptables -A INPUT -j NFLOG --nflog-range 5
            iptables -A INPUT -j NFLOG --nflog-size 5
            iptables -C INPUT -j NFLOG --nflog-prefix x --nflog-group 5
            iptables -C INPUT -j NFLOG --nflog-group 5
            iptables -C INPUT -j NFLOG --nflog-size 5
            iptables -C INPUT -j NFLOG --nflog-range 5
            iptables -D INPUT -j NFLOG --nflog-size 5
            iptables -D INPUT -j NFLOG --nflog-size 5
            iptables -D INPUT -j NFLOG --nflog-range 5
            iptables -D INPUT -j NFLOG --nflog-prefix x --nflog-group 5
            iptables -t raw -D PREROUTING -j NFLOG --nflog-prefix raw
            """);
        diff.CompareListings("filter", "nat", "mangle", "raw");
    }
}
