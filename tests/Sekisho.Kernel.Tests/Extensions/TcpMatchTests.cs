using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The tcp match: every option, inversions, ranges, service names, errors, and every listing form.</summary>
public sealed class TcpMatchTests
{
    [KernelFact]
    public void TcpMatch_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p tcp --dport 22 -j ACCEPT
            iptables -A INPUT -p tcp --sport 1024:65535 --dport 80 -j ACCEPT
            iptables -A INPUT -p tcp ! --sport 53 -j DROP
            iptables -A INPUT -p tcp -m tcp --dport :1023
            iptables -A INPUT -p tcp -m tcp --sport 6000:
            iptables -A INPUT -p tcp --destination-port https --source-port smtp
            iptables -A INPUT -p tcp --syn -j ACCEPT
            iptables -A INPUT -p tcp ! --syn -j ACCEPT
            iptables -A INPUT -p tcp --tcp-flags SYN,ACK,FIN,RST,URG,PSH ALL
            iptables -A INPUT -p tcp --tcp-flags ALL NONE
            iptables -A INPUT -p tcp ! --tcp-flags syn,ack ack
            iptables -A INPUT -p tcp --tcp-option 2
            iptables -A INPUT -p tcp ! --tcp-option 8
            iptables -A INPUT -p 6 --dport 443
            iptables -A INPUT -p tcp --dport 22 -m tcp --sport 22
            iptables -A INPUT -p tcp --dport 22,23
            iptables -A INPUT -p tcp --dport 70000
            iptables -A INPUT -p tcp --dport nosuchservice
            iptables -A INPUT -p tcp --dport 5:4
            iptables -A INPUT -p tcp --dport 1 --dport 2
            iptables -A INPUT -p tcp --syn --tcp-flags ACK ACK
            iptables -A INPUT -p tcp --tcp-flags SYN
            iptables -A INPUT -p tcp --tcp-flags SYN -j ACCEPT
            iptables -A INPUT -p tcp --tcp-flags BOGUS SYN
            iptables -A INPUT -p tcp --tcp-option 0
            iptables -A INPUT -p tcp --tcp-option 256
            iptables -A INPUT -m tcp --dport 22
            iptables -A INPUT ! -p tcp --dport 22
            iptables -D INPUT -p tcp --dport 22 -j ACCEPT
            iptables -C INPUT -p tcp --syn -j ACCEPT
            iptables -C INPUT -p tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Help_TcpAndLog_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -h
            iptables -p tcp -h
            iptables -m tcp -h
            iptables -j LOG -h
            iptables -j ACCEPT -h
            iptables -p tcp -j LOG --help
            """);
    }
}
