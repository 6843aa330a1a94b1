using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The length match: single values and ranges, open ends, inversion, errors, listings.</summary>
public sealed class LengthMatchTests
{
    [KernelFact]
    public void LengthMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m length -h
            iptables -A INPUT -m length --length 100 -j DROP
            iptables -A INPUT -m length ! --length 64:1500
            iptables -A INPUT -m length --length :500
            iptables -A INPUT -m length --length 1000:
            iptables -A INPUT -m length --length :
            iptables -A INPUT -m length --length 0x10:0x20
            iptables -A INPUT -m length --length 010:65535
            iptables -A INPUT -m length --length 7:7
            iptables -A FORWARD -p tcp -m length --length 40:60 -j ACCEPT
            iptables -A INPUT -m length --length 65536
            iptables -A INPUT -m length --length 1:65536
            iptables -A INPUT -m length --length 1:2:3
            iptables -A INPUT -m length --length 9:3:5
            iptables -A INPUT -m length --length 9:3x
            iptables -A INPUT -m length --length 9:70000
            iptables -A INPUT -m length --length 5x
            iptables -A INPUT -m length --length 5:x
            iptables -A INPUT -m length --length -1
            iptables -A INPUT -m length --length ""
            iptables -A INPUT -m length
            iptables -A INPUT -m length --length 1 --length 2
            iptables -A INPUT -m length --length
            iptables -A INPUT --length 5
            iptables -D INPUT -m length --length 100 -j DROP
            iptables -C INPUT -m length --length 0:500
            iptables -C INPUT -m length --length 1000:65535
            iptables -C INPUT -m length --length 64:1500
            iptables -C INPUT -m length ! --length 64:1500
            """);
        diff.CompareListings();
    }
}
