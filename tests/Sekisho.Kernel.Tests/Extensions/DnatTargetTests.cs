using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The DNAT target (revision 2): ranges, shifted port maps, flags, parse errors, kernel refusals.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class DnatTargetTests
{
    [KernelFact]
    public void Dnat_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1
            iptables -t nat -A PREROUTING -i eth0 -d 198.51.100.1 -j DNAT --to-destination 192.0.2.1-192.0.2.10
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.9-192.0.2.3
            iptables -t nat -A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 192.0.2.1:8080
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1024-65535
            iptables -t nat -A PREROUTING -p udp -j DNAT --to-destination 192.0.2.1-192.0.2.2:53-54
            iptables -t nat -A PREROUTING -p sctp -j DNAT --to-destination 192.0.2.1:0
            iptables -t nat -A PREROUTING -p dccp -j DNAT --to-destination 192.0.2.1:9-9
            iptables -t nat -A PREROUTING -p icmp -j DNAT --to-destination 192.0.2.1:1
            iptables -t nat -A PREROUTING ! -p udp -j DNAT --to-destination 192.0.2.1:2
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/1000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/65535
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-1000/7
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:10-20/ftp
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:10-20/0x10
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:10-20/30trailing
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination :80-90/100
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination xy:443
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:ssh
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:ftp-data
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:http-8080
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --random
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --persistent
            iptables -t nat -A PREROUTING -j DNAT --persistent --random --to-destination 192.0.2.1-192.0.2.4
            iptables -t nat -A OUTPUT -p tcp -j DNAT --to 192.0.2.5:25 --rand --pers
            iptables -t nat -I OUTPUT -d 10.0.0.1 -j DNAT --to-d 192.0.2.6
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Dnat_BadOptions_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -j DNAT
            iptables -t nat -A PREROUTING -j DNAT --persistent
            iptables -t nat -A PREROUTING -j DNAT --to-destination
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --to-destination 192.0.2.2
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --random-fully
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --persistent --persistent
            iptables -t nat -A PREROUTING -j DNAT ! --to-destination 192.0.2.1
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1:80
            iptables -t nat -A PREROUTING -p gre -j DNAT --to-destination 192.0.2.1:80
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1:80 -p tcp
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/0
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/65536
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/-1
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:ssh/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:2000-1000/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000x/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:echo-ssh
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:70000-80000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1025-65536
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1:2
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1-192.0.2.2:1:2
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination [::1]:80
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination '[192.0.2.1'
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.x:80
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1-nohost
            iptables -t nat -A PREROUTING -j DNAT --to-destination ' 192.0.2.1'
            iptables -t nat -A PREROUTING -j DNAT --to-destination 0x01020304
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --to-source 192.0.2.2
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.1 --to-ports 80
            iptables -j DNAT -h
            iptables -j DNAT --help
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Dnat_WrongTableOrHook_RefusedByKernelWithItsLogLine()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A FORWARD -j DNAT --to-destination 192.0.2.1", "DNAT target");
        diff.StepKernelLog("iptables -t raw -A PREROUTING -j DNAT --to-destination 192.0.2.1", "DNAT target");
        diff.StepKernelLog("iptables -t nat -A POSTROUTING -j DNAT --to-destination 192.0.2.1", "DNAT target");
        diff.StepKernelLog("iptables -t nat -A INPUT -p tcp -j DNAT --to-destination 192.0.2.1:1-2/3", "DNAT target");
        diff.StepKernelLog("iptables -t nat -A OUTPUT -j DNAT --to-destination 192.0.2.1", "DNAT target");
        diff.Steps("""
            iptables -t nat -N portfw
            iptables -t nat -A portfw -p tcp --dport 2222 -j DNAT --to-destination 192.0.2.22:22
            iptables -t nat -A portfw -j RETURN
            iptables -t nat -A PREROUTING -j portfw
            iptables -t nat -A OUTPUT -j portfw
            """);
        diff.StepKernelLog("iptables -t nat -A POSTROUTING -j portfw", "DNAT target");
        diff.StepKernelLog("iptables -t nat -A INPUT -s 10.0.0.0/8 -j portfw", "DNAT target");
        diff.StepKernelLog("iptables -t nat -A INPUT -g portfw", "DNAT target");
        diff.Steps("""
            iptables -t nat -N outer
            iptables -t nat -A outer -j ACCEPT
            iptables -t nat -A outer -j portfw
            iptables -t nat -A INPUT -j outer
            """);
        diff.StepKernelLog("iptables -t nat -I outer -s 10.9.9.9 -j portfw", "DNAT target");
        diff.CompareListings("nat", "filter", "raw");
    }

    [KernelFact]
    public void Dnat_CheckAndDelete_CompareTheKernelStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/3000
            iptables -t nat -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.2:22 --persistent
            iptables -t nat -A PREROUTING -j DNAT --to-destination 192.0.2.3-192.0.2.4 --random
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/3000
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/3001
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.2:ssh --persistent
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.2:22-22 --persistent
            iptables -t nat -C PREROUTING -p tcp -j DNAT --to-destination 192.0.2.2:22
            iptables -t nat -C PREROUTING -j DNAT --random --to-destination 192.0.2.3-192.0.2.4
            iptables -t nat -C PREROUTING -j DNAT --to-destination 192.0.2.3 --random
            iptables -t nat -D PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/4000
            iptables -t nat -D PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1:1000-2000/3000
            iptables -t nat -D PREROUTING -p udp -j DNAT --to-destination 192.0.2.2:22 --persistent
            iptables -t nat -D PREROUTING -p tcp -j DNAT --to-destination 192.0.2.2:22 --persistent
            """);
        diff.CompareListings("nat");
    }
}
