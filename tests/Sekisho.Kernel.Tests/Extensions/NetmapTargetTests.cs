using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>
/// The NETMAP target (no conformance file): networks in every mask notation, name lookups, parse errors, and
/// the kernel's table restriction (all nat hooks are allowed).
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class NetmapTargetTests
{
    [KernelFact]
    public void Netmap_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -d 198.51.100.0/24 -j NETMAP --to 192.0.2.0/24
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.77/24
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.77
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.77/32
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.77/31
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.77/0
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/8
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/255.255.0.0
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/255.255.255.255
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/0.0.0.0
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/255.0.255.0
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/0xffffff00
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/255.255.255
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/4294967040
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/33
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/017
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/+16
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/0x10
            iptables -t nat -A PREROUTING -j NETMAP --to 10.258/16
            iptables -t nat -A PREROUTING -j NETMAP --to 0x0a000001/30
            iptables -t nat -A PREROUTING -j NETMAP --to 127.1/8
            iptables -t nat -A PREROUTING -j NETMAP --to localhost/24
            iptables -t nat -A POSTROUTING -s 192.0.2.0/24 -j NETMAP --to 198.51.100.0/24
            iptables -t nat -A OUTPUT -j NETMAP --to 10.0.0.0/16
            iptables -t nat -A INPUT -j NETMAP --t 10.0.0.0/12
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Netmap_BadOptions_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j NETMAP
            iptables -t nat -A PREROUTING -j NETMAP --to
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/8 --to 10.0.0.0/16
            iptables -t nat -A PREROUTING -j NETMAP ! --to 10.0.0.0/8
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/-1
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/8x
            iptables -t nat -A PREROUTING -j NETMAP --to '10.0.0.0/ 8'
            iptables -t nat -A PREROUTING -j NETMAP --to '10.0.0.0/255.0.0.0 '
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/255.0.0.256
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/8/8
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/08
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.256/8
            iptables -t nat -A PREROUTING -j NETMAP --to /8
            iptables -t nat -A PREROUTING -j NETMAP --to 10.0.0.0/8 extra
            iptables -t nat -A PREROUTING -p tcp -j NETMAP --to 10.0.0.0/8 --to-ports 5
            iptables -j NETMAP -h
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Netmap_OutsideNatTable_RefusedByKernelWithItsLogLine()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A FORWARD -j NETMAP --to 10.0.0.0/8", "NETMAP target");
        diff.StepKernelLog("iptables -t mangle -A FORWARD -j NETMAP --to 10.0.0.0/8", "NETMAP target");
        diff.StepKernelLog("iptables -t raw -A OUTPUT -j NETMAP --to 10.0.0.0/8", "NETMAP target");
        diff.StepKernelLog("iptables -t security -A INPUT -j NETMAP --to 10.0.0.0/8", "NETMAP target");
        diff.StepKernelLog("iptables -t nat -N map", "NETMAP target");
        diff.StepKernelLog("iptables -t nat -A map -j NETMAP --to 10.0.0.0/8", "NETMAP target");
        foreach (string chain in new[] { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" })
        {
            diff.StepKernelLog($"iptables -t nat -A {chain} -j map", "NETMAP target");
        }

        diff.CompareListings("nat", "filter", "mangle", "raw", "security");
    }

    [KernelFact]
    public void Netmap_CheckAndDelete_CompareTheKernelStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j NETMAP --to 192.0.2.0/24
            iptables -t nat -A PREROUTING -j NETMAP --to 10.1.2.3/32
            iptables -t nat -C PREROUTING -j NETMAP --to 192.0.2.200/24
            iptables -t nat -C PREROUTING -j NETMAP --to 192.0.2.0/255.255.255.0
            iptables -t nat -C PREROUTING -j NETMAP --to 192.0.2.0/25
            iptables -t nat -C PREROUTING -j NETMAP --to 10.1.2.3
            iptables -t nat -C PREROUTING -j NETMAP --to 10.1.2.3/255.0.255.0
            iptables -t nat -D PREROUTING -j NETMAP --to 192.0.3.0/24
            iptables -t nat -D PREROUTING -j NETMAP --to 192.0.2.1/24
            iptables -t nat -D PREROUTING -j NETMAP --to 10.1.2.3/33
            """);
        diff.CompareListings("nat");
    }
}
