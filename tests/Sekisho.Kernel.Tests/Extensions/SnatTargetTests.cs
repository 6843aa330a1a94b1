using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The SNAT target (revision 0): address and port ranges, flags, parse errors, kernel refusals.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class SnatTargetTests
{
    [KernelFact]
    public void Snat_AllForms_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1
            iptables -t nat -A POSTROUTING -o eth0 -j SNAT --to-source 192.0.2.1-192.0.2.10
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.10-192.0.2.1
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1-192.0.2.1
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1024
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1024-65535
            iptables -t nat -A POSTROUTING -p udp -j SNAT --to-source 192.0.2.1-192.0.2.9:0-0
            iptables -t nat -A POSTROUTING -p sctp -j SNAT --to-source 192.0.2.1:5000-5000
            iptables -t nat -A POSTROUTING -p dccp -j SNAT --to-source 192.0.2.1:7
            iptables -t nat -A POSTROUTING -p icmp -j SNAT --to-source 192.0.2.1:100-200
            iptables -t nat -A POSTROUTING ! -p tcp -j SNAT --to-source 192.0.2.1:53
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source :1024-2047
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source ab:80
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 1.:81
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:ssh
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:ftp-data
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:domain-60000
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:0x50-0x60
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:010-+020
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000/3000
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000/ftp
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000/99junk
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --random
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --random-fully
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --persistent
            iptables -t nat -A POSTROUTING -j SNAT --persistent --random-fully --random --to-source 192.0.2.2
            iptables -t nat -A POSTROUTING -j SNAT --to 192.0.2.3 --random-f --pers
            iptables -t nat -A INPUT -j SNAT --to-source 192.0.2.4
            iptables -t nat -I INPUT -p udp -s 10.0.0.0/8 -j SNAT --to-source 192.0.2.5:53 --random
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Snat_BadOptions_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -j SNAT
            iptables -t nat -A POSTROUTING -j SNAT --random
            iptables -t nat -A POSTROUTING -j SNAT --to-source
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --to-source 192.0.2.2
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --random --random
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 --rand
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 ! --random
            iptables -t nat -A POSTROUTING -j SNAT ! --to-source 192.0.2.1
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1:80
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1:80 -p tcp
            iptables -t nat -A POSTROUTING -p esp -j SNAT --to-source 192.0.2.1:80
            iptables -t nat -A POSTROUTING -p udplite -j SNAT --to-source :80
            iptables -t nat -A POSTROUTING -j SNAT --to-source [192.0.2.1]
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source [192.0.2.1]:80
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80:90
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-90:100
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source :
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:nosuchservice
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:ssh-100
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:100-ssh
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-70
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-70/5
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80x
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:08
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-90x
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-90/0
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-90/65536
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:80-90/nosuch
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:65536
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:-1
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1-65536
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source bad:80
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source a:80
            iptables -t nat -A POSTROUTING -j SNAT --to-source ''
            iptables -t nat -A POSTROUTING -j SNAT --to-source -
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1-
            iptables -t nat -A POSTROUTING -j SNAT --to-source -192.0.2.1
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.01
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.256
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1.5
            iptables -t nat -A POSTROUTING -j SNAT --to-source localhost
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1-192.0.2.2-192.0.2.3
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.1 extra
            iptables -j SNAT -h
            """);
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void Snat_WrongTableOrHook_RefusedByKernelWithItsLogLine()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A INPUT -j SNAT --to-source 192.0.2.1", "SNAT target");
        diff.StepKernelLog("iptables -t mangle -A POSTROUTING -j SNAT --to-source 192.0.2.1", "SNAT target");
        diff.StepKernelLog("iptables -t nat -A PREROUTING -j SNAT --to-source 192.0.2.1", "SNAT target");
        diff.StepKernelLog("iptables -t nat -A OUTPUT -p tcp -j SNAT --to-source 192.0.2.1:80", "SNAT target");
        diff.StepKernelLog("iptables -t nat -A INPUT -j SNAT --to-source 192.0.2.1", "SNAT target");
        diff.Steps("""
            iptables -t nat -N masq
            iptables -t nat -A masq -j SNAT --to-source 192.0.2.7
            iptables -t nat -A POSTROUTING -j masq
            iptables -t nat -A INPUT -j masq
            """);
        diff.StepKernelLog("iptables -t nat -A OUTPUT -j masq", "SNAT target");
        diff.StepKernelLog("iptables -t nat -I PREROUTING -s 10.0.0.1 -j masq", "SNAT target");
        diff.Steps("""
            iptables -t nat -N deeper
            iptables -t nat -A deeper -j masq
            iptables -t nat -A PREROUTING -j deeper
            iptables -t nat -A POSTROUTING -j deeper
            iptables -t nat -N unreached
            iptables -t nat -A unreached -j SNAT --to-source 192.0.2.8
            """);
        diff.StepKernelLog("iptables -t nat -A deeper -j unreached", "SNAT target");
        diff.StepKernelLog("iptables -t nat -A PREROUTING -j unreached", "SNAT target");
        diff.CompareListings("nat", "filter", "mangle");
    }

    [KernelFact]
    public void Snat_CheckAndDelete_CompareTheKernelStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000 --random --persistent
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.2:80-80
            iptables -t nat -A POSTROUTING -p tcp -j SNAT --to-source 192.0.2.3:1000-2000/3000
            iptables -t nat -A POSTROUTING -j SNAT --to-source 192.0.2.4-192.0.2.4
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --persistent --random --to-source 192.0.2.1:1000-2000
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2000 --random
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.1:1000-2001 --random --persistent
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.2:80
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.2:http
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.3:1000-2000/4000
            iptables -t nat -C POSTROUTING -p tcp -j SNAT --to-source 192.0.2.3:1000-2000
            iptables -t nat -C POSTROUTING -j SNAT --to-source 192.0.2.4
            iptables -t nat -C POSTROUTING -j SNAT --to-source 192.0.2.4-192.0.2.5
            iptables -t nat -D POSTROUTING -p tcp -j SNAT --to-source 192.0.2.2:81
            iptables -t nat -D POSTROUTING -p tcp -j SNAT --to-source 192.0.2.2:80
            iptables -t nat -D POSTROUTING -p tcp -j SNAT --to-source 192.0.2.3:1000-2000/1
            iptables -t nat -D POSTROUTING -j SNAT --to-source 192.0.2.4
            """);
        diff.CompareListings("nat");
    }
}
