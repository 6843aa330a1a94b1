using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The TOS and DSCP targets: values, masks, symbolic names and classes, errors, the mangle-only rule, -D/-C.</summary>
public sealed class TosDscpTargetTests
{
    [KernelFact]
    public void TosTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0x1f
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0x1f/0x1f
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0xff
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0xff/0xff
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0/0
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0x5/0x7
            iptables -t mangle -A PREROUTING -j TOS --set-tos 16/0x3f
            iptables -t mangle -A PREROUTING -j TOS --set-tos 0x0c/0x3f
            iptables -t mangle -A PREROUTING -j TOS --set-tos 010
            iptables -t mangle -A INPUT -j TOS --set-tos Minimize-Delay
            iptables -t mangle -A INPUT -j TOS --set-tos Maximize-Throughput
            iptables -t mangle -A INPUT -j TOS --set-tos Maximize-Reliability
            iptables -t mangle -A INPUT -j TOS --set-tos Minimize-Cost
            iptables -t mangle -A INPUT -j TOS --set-tos Normal-Service
            iptables -t mangle -A INPUT -j TOS --set-tos normal-service
            iptables -t mangle -A INPUT -j TOS --set-tos MINIMIZE-DELAY
            iptables -t mangle -A FORWARD -j TOS --and-tos 0x12
            iptables -t mangle -A FORWARD -j TOS --and-tos 0
            iptables -t mangle -A FORWARD -j TOS --and-tos 0xff
            iptables -t mangle -A FORWARD -j TOS --or-tos 0x12
            iptables -t mangle -A FORWARD -j TOS --or-tos 0
            iptables -t mangle -A FORWARD -j TOS --xor-tos 0x12
            iptables -t mangle -A FORWARD -j TOS --xor-tos 0x10
            iptables -t mangle -A OUTPUT -j TOS --set-tos 0x100
            iptables -t mangle -A OUTPUT -j TOS --set-tos 1/0x100
            iptables -t mangle -A OUTPUT -j TOS --set-tos 1/
            iptables -t mangle -A OUTPUT -j TOS --set-tos 1x
            iptables -t mangle -A OUTPUT -j TOS --set-tos 1/2/3
            iptables -t mangle -A OUTPUT -j TOS --set-tos bogus
            iptables -t mangle -A OUTPUT -j TOS --set-tos Minimize
            iptables -t mangle -A OUTPUT -j TOS --set-tos ""
            iptables -t mangle -A OUTPUT -j TOS --set-tos -1
            iptables -t mangle -A OUTPUT -j TOS --and-tos 256
            iptables -t mangle -A OUTPUT -j TOS --and-tos 1/2
            iptables -t mangle -A OUTPUT -j TOS --set-tos 1 --and-tos 2
            iptables -t mangle -A OUTPUT -j TOS --or-tos 1 --xor-tos 2
            iptables -t mangle -A OUTPUT -j TOS --or-tos 1 --or-tos 2
            iptables -t mangle -A OUTPUT -j TOS ! --set-tos 1
            iptables -t mangle -A OUTPUT -j TOS
            iptables -t mangle -A OUTPUT -j TOS --set 4
            iptables -t mangle -A OUTPUT -j TOS --x 4
            iptables -t mangle -A OUTPUT -j TOS -h
            iptables -A INPUT -j TOS --set-tos 1
            iptables -t nat -A OUTPUT -j TOS --set-tos 1
            iptables -t raw -A OUTPUT -j TOS --set-tos 1
            iptables -t mangle -C INPUT -j TOS --set-tos 0x10/0x3f
            iptables -t mangle -C INPUT -j TOS --set-tos 0x10
            iptables -t mangle -C FORWARD -j TOS --set-tos 0x12/0x00
            iptables -t mangle -D FORWARD -j TOS --xor-tos 0x12
            iptables -t mangle -D INPUT -j TOS --set-tos minimize-cost
            iptables -t mangle -D INPUT -j TOS --set-tos minimize-cost
            """);
        diff.CompareListings("mangle", "filter");
    }

    [KernelFact]
    public void DscpTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 0x00
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 0x3f
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 32
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 010
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp -1
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 0x40
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 64
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp ef
            iptables -t mangle -A PREROUTING -j DSCP --set-dscp 1 --set-dscp 2
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS0
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS1
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class cs7
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class BE
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class AF11
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class af23
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class AF33
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class AF43
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class EF
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class ef
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS3x
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class efficient
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class AF1
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class AF14
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class ""
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class 0
            iptables -t mangle -A INPUT -j DSCP --set-dscp 0x3f --set-dscp-class CS0
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS0 --set-dscp 1
            iptables -t mangle -A INPUT -j DSCP --set-dscp-class CS0 --set-dscp-class CS1
            iptables -t mangle -A INPUT -j DSCP ! --set-dscp 1
            iptables -t mangle -A INPUT -j DSCP
            iptables -t mangle -A INPUT -j DSCP --set-dscp-c EF
            iptables -t mangle -A INPUT -j DSCP --set 5
            iptables -t mangle -A INPUT -j DSCP -h
            iptables -A INPUT -j DSCP --set-dscp 1
            iptables -t raw -A PREROUTING -j DSCP --set-dscp-class EF
            iptables -t mangle -C INPUT -j DSCP --set-dscp 0x2e
            iptables -t mangle -C INPUT -j DSCP --set-dscp-class AF41
            iptables -t mangle -D INPUT -j DSCP --set-dscp-class CS1
            iptables -t mangle -D INPUT -j DSCP --set-dscp 8
            """);
        diff.CompareListings("mangle", "filter");
    }
}
