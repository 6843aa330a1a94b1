using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The MASQUERADE target: port ranges, flags, parse errors, kernel refusals.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class MasqueradeTargetTests
{
    [KernelFact]
    public void Masquerade_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -j MASQUERADE
            iptables -t nat -A POSTROUTING -o eth0 -s 10.0.0.0/8 -j MASQUERADE
            iptables -t nat -A POSTROUTING -j MASQUERADE --random
            iptables -t nat -A POSTROUTING -j MASQUERADE --random-fully
            iptables -t nat -A POSTROUTING -j MASQUERADE --random-fully --random
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 0-0
            iptables -t nat -A POSTROUTING -p sctp -j MASQUERADE --to-ports 5-6 --random
            iptables -t nat -A POSTROUTING -p dccp -j MASQUERADE --to-ports ssh
            iptables -t nat -A POSTROUTING -p icmp -j MASQUERADE --to-ports 7
            iptables -t nat -A POSTROUTING ! -p tcp -j MASQUERADE --to-ports 8
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000/3000
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 0x400-0x800
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to 9 --random-f
            iptables -t nat -I POSTROUTING 2 -p udp -j MASQUERADE --to-ports ftp-data
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Masquerade_BadOptions_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -j MASQUERADE --to-ports 1024
            iptables -t nat -A POSTROUTING -p esp -j MASQUERADE --to-ports 1024
            iptables -t nat -A POSTROUTING -j MASQUERADE --to-ports 1024 -p tcp
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65536
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports -1
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024:2048
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 2048-1024
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports ''
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 192.0.2.1
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 192.0.2.1:80
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports nosuch
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1-2/0
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports 1 --to-ports 2
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-ports
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --random --random
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --rand
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE ! --random
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --persistent
            iptables -t nat -A POSTROUTING -p udp -j MASQUERADE --to-source 192.0.2.1
            iptables -j MASQUERADE -h
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Masquerade_WrongTableOrHook_RefusedByKernelWithItsLogLine()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A OUTPUT -j MASQUERADE", "MASQUERADE target");
        diff.StepKernelLog("iptables -t mangle -A POSTROUTING -j MASQUERADE", "MASQUERADE target");
        diff.StepKernelLog("iptables -t nat -A INPUT -j MASQUERADE", "MASQUERADE target");
        diff.StepKernelLog("iptables -t nat -A OUTPUT -p tcp -j MASQUERADE --to-ports 5", "MASQUERADE target");
        diff.StepKernelLog("iptables -t nat -A PREROUTING -j MASQUERADE --random", "MASQUERADE target");
        diff.StepKernelLog("iptables -t nat -A POSTROUTING -j MASQUERADE", "MASQUERADE target");
        diff.Steps("""
            iptables -t nat -N out
            iptables -t nat -A out -o eth1 -j MASQUERADE
            iptables -t nat -A POSTROUTING -j out
            """);
        diff.StepKernelLog("iptables -t nat -A INPUT -j out", "MASQUERADE target");
        diff.StepKernelLog("iptables -t nat -A OUTPUT -j out", "MASQUERADE target");
        diff.CompareListings("nat", "filter", "mangle");
    }

    [KernelFact]
    public void Masquerade_CheckAndDelete_CompareTheKernelStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2048 --random
            iptables -t nat -A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000/5
            iptables -t nat -A POSTROUTING -j MASQUERADE
            iptables -t nat -C POSTROUTING -p tcp -j MASQUERADE --random --to-ports 1024-2048
            iptables -t nat -C POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2048
            iptables -t nat -C POSTROUTING -p tcp -j MASQUERADE --to-ports 1024-2048 --random-fully
            iptables -t nat -C POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000/6
            iptables -t nat -C POSTROUTING -j MASQUERADE
            iptables -t nat -C POSTROUTING -j MASQUERADE --random
            iptables -t nat -D POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000/7
            iptables -t nat -D POSTROUTING -j MASQUERADE
            iptables -t nat -D POSTROUTING -j MASQUERADE
            """);
        diff.CompareListings("nat");
    }
}
