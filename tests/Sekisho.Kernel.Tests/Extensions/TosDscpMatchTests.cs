using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The tos and dscp matches: values, masks, symbolic names and classes, inversions, errors, listings.</summary>
public sealed class TosDscpMatchTests
{
    [KernelFact]
    public void TosMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m tos -h
            iptables -A INPUT -m tos --tos Minimize-Delay -j ACCEPT
            iptables -A INPUT -m tos --tos minimize-cost
            iptables -A INPUT -m tos ! --tos Normal-Service
            iptables -A INPUT -m tos --tos MAXIMIZE-THROUGHPUT
            iptables -A INPUT -m tos --tos Maximize-Reliability
            iptables -A INPUT -m tos --tos 0x10
            iptables -A INPUT -m tos --tos 16/0x3f
            iptables -A INPUT -m tos ! --tos 0x08/0x3f
            iptables -A INPUT -m tos --tos 0x20/0x3f
            iptables -A INPUT -m tos --tos 0x08/0x08
            iptables -A INPUT -m tos --tos 0/0
            iptables -A INPUT -m tos --tos 010
            iptables -A INPUT -m tos --tos 0x100
            iptables -A INPUT -m tos --tos 0x10/0x100
            iptables -A INPUT -m tos --tos 0x10/
            iptables -A INPUT -m tos --tos 0x10x
            iptables -A INPUT -m tos --tos 0x10/0x3fx
            iptables -A INPUT -m tos --tos Minimize
            iptables -A INPUT -m tos --tos wrong
            iptables -A INPUT -m tos --tos -1
            iptables -A INPUT -m tos
            iptables -A INPUT -m tos --tos 1 --tos 2
            iptables -A INPUT -m tos --tos
            iptables -D INPUT -m tos --tos 0x10/0x3f -j ACCEPT
            iptables -C INPUT -m tos --tos 0x02/0x3f
            iptables -C INPUT -m tos --tos 0x10/0xff
            iptables -C INPUT -m tos --tos 16
            iptables -C INPUT -m tos --tos 0x08/0x3f
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void DscpMatch_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m dscp -h
            iptables -A INPUT -m dscp --dscp 10 -j ACCEPT
            iptables -A INPUT -m dscp --dscp 0x2e
            iptables -A INPUT -m dscp ! --dscp 0
            iptables -A INPUT -m dscp --dscp 077
            iptables -A INPUT -m dscp --dscp-class EF
            iptables -A INPUT -m dscp ! --dscp-class af41
            iptables -A INPUT -m dscp --dscp-class cs7
            iptables -A INPUT -m dscp --dscp-class BE
            iptables -A INPUT -m dscp --dscp-class EFX
            iptables -A INPUT -m dscp --dscp-class AF11,AF12
            iptables -A INPUT -m dscp --dscp-class AF1
            iptables -A INPUT -m dscp --dscp-class ""
            iptables -A INPUT -m dscp --dscp 64
            iptables -A INPUT -m dscp --dscp -1
            iptables -A INPUT -m dscp --dscp 1x
            iptables -A INPUT -m dscp --dscp 1 --dscp-class EF
            iptables -A INPUT -m dscp --dscp-class EF --dscp 1
            iptables -A INPUT -m dscp --dscp 1 --dscp 2
            iptables -A INPUT -m dscp --dscp-class EF --dscp-class BE
            iptables -A INPUT -m dscp
            iptables -A INPUT -m dscp --dscp
            iptables -D INPUT -m dscp --dscp 0x0a -j ACCEPT
            iptables -C INPUT -m dscp --dscp 46
            iptables -C INPUT -m dscp --dscp-class CS0 ! --dscp 0
            iptables -C INPUT -m dscp ! --dscp-class CS0
            iptables -C INPUT -m dscp --dscp-class AF42
            """);
        diff.CompareListings();
    }
}
