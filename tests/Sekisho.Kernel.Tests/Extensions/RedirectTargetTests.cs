using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The REDIRECT target: port ranges, the refused shifted form, parse errors, kernel refusals.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class RedirectTargetTests
{
    [KernelFact]
    public void Redirect_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j REDIRECT
            iptables -t nat -A PREROUTING -j REDIRECT --random
            iptables -t nat -A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 3128
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 0
            iptables -t nat -A PREROUTING -p udp -j REDIRECT --to-ports 512-512
            iptables -t nat -A PREROUTING -p udp -j REDIRECT --to-ports 42-1234
            iptables -t nat -A PREROUTING -p sctp -j REDIRECT --to-ports 42-1234 --random
            iptables -t nat -A PREROUTING -p dccp -j REDIRECT --to-ports ssh
            iptables -t nat -A PREROUTING -p icmp -j REDIRECT --to-ports 65535
            iptables -t nat -A PREROUTING ! -p tcp -j REDIRECT --to-ports 1
            iptables -t nat -A OUTPUT -p tcp -j REDIRECT --to-ports ftp-data
            iptables -t nat -A OUTPUT -p tcp -o lo -j REDIRECT --to 010-0x20 --rand
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Redirect_BadOptions_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j REDIRECT --to-ports 42
            iptables -t nat -A PREROUTING -p ah -j REDIRECT --to-ports 42
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 65536
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 42-1234/567
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 42-1234/0
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --random --to-ports 42-1234/ftp
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports ftp-ssh
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-ssh
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10:20
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 10-20:30
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 20-10
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 1 --to-ports 2
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --random-fully
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT ! --to-ports 5
            iptables -j REDIRECT -h
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Redirect_WrongTableOrHook_RefusedByKernelWithItsLogLine()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A INPUT -j REDIRECT", "REDIRECT target");
        diff.StepKernelLog("iptables -t mangle -A PREROUTING -p tcp -j REDIRECT --to-ports 1", "REDIRECT target");
        diff.StepKernelLog("iptables -t nat -A INPUT -j REDIRECT", "REDIRECT target");
        diff.StepKernelLog("iptables -t nat -A POSTROUTING -p tcp -j REDIRECT --to-ports 8080", "REDIRECT target");
        diff.Steps("""
            iptables -t nat -N proxy
            iptables -t nat -A proxy -p tcp -j REDIRECT --to-ports 3128
            iptables -t nat -A PREROUTING -p tcp --dport 80 -j proxy
            iptables -t nat -A OUTPUT -j proxy
            """);
        diff.StepKernelLog("iptables -t nat -A POSTROUTING -j proxy", "REDIRECT target");
        diff.StepKernelLog("iptables -t nat -I INPUT -j proxy", "REDIRECT target");
        diff.CompareListings("nat", "filter", "mangle");
    }

    [KernelFact]
    public void Redirect_CheckAndDelete_CompareTheKernelStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -p tcp -j REDIRECT --to-ports 3128
            iptables -t nat -A PREROUTING -p udp -j REDIRECT --to-ports 5000-5100 --random
            iptables -t nat -C PREROUTING -p tcp -j REDIRECT --to-ports 3128-3128
            iptables -t nat -C PREROUTING -p tcp -j REDIRECT --to-ports 3129
            iptables -t nat -C PREROUTING -p tcp -j REDIRECT
            iptables -C PREROUTING -p tcp -j REDIRECT --to-ports 3128
            iptables -t nat -C PREROUTING -p udp -j REDIRECT --random --to-ports 5000-5100
            iptables -t nat -D PREROUTING -p udp -j REDIRECT --to-ports 5000-5100
            iptables -t nat -D PREROUTING -p udp -j REDIRECT --to-ports 5000-5100 --random
            iptables -t nat -D PREROUTING -p tcp -j REDIRECT --to-ports 3128
            """);
        diff.CompareListings("nat");
    }
}
