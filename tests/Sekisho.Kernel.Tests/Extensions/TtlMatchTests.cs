using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The ttl match: the four comparisons, the --ttl alias, exclusions, errors, listings.</summary>
public sealed class TtlMatchTests
{
    [KernelFact]
    public void TtlMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m ttl -h
            iptables -A INPUT -m ttl --ttl-eq 64 -j ACCEPT
            iptables -A INPUT -m ttl ! --ttl-eq 64
            iptables -A INPUT -m ttl --ttl-lt 10
            iptables -A INPUT -m ttl --ttl-gt 250
            iptables -A INPUT -m ttl --ttl 1
            iptables -A INPUT -m ttl --ttl-eq 0x10
            iptables -A INPUT -m ttl --ttl-gt 255
            iptables -A INPUT -m ttl --ttl-lt 0
            iptables -A OUTPUT -m ttl --ttl-e 3
            iptables -A INPUT -m ttl ! --ttl 1
            iptables -A INPUT -m ttl ! --ttl-lt 1
            iptables -A INPUT -m ttl --ttl-eq 256
            iptables -A INPUT -m ttl --ttl-eq -1
            iptables -A INPUT -m ttl --ttl-eq x
            iptables -A INPUT -m ttl --ttl-eq 1 --ttl-lt 2
            iptables -A INPUT -m ttl --ttl-gt 1 --ttl-lt 2
            iptables -A INPUT -m ttl --ttl-eq 1 --ttl 2
            iptables -A INPUT -m ttl
            iptables -A INPUT -m ttl --ttl- 5
            iptables -A INPUT -m ttl --ttl-eq
            iptables -D INPUT -m ttl --ttl-eq 64 -j ACCEPT
            iptables -C INPUT -m ttl --ttl 64
            iptables -C INPUT -m ttl ! --ttl-eq 64
            iptables -C INPUT -m ttl --ttl-lt 11
            """);
        diff.CompareListings();
    }
}
