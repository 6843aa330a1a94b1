using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>
/// The TCPMSS target: both options, limits, and the kernel's demands (-p tcp, a SYN test in a tcp match, path-MTU
/// clamping only from FORWARD/OUTPUT/POSTROUTING, also through user chains).
/// </summary>
public sealed class TcpmssTargetTests
{
    [KernelFact]
    public void TcpmssTarget_Options_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1400
            iptables -t mangle -A FORWARD -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -A POSTROUTING -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 0
            iptables -t mangle -A OUTPUT -p tcp --tcp-flags SYN SYN -j TCPMSS --set-mss 65515
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set-mss 65516
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set-mss -1
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set-mss 0x100
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set-mss 100 --clamp-mss-to-pmtu
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --set-mss 100
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set-mss 1 --set-mss 2
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu --clamp-mss-to-pmtu
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --clamp
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS --set 536
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS
            iptables -t mangle -A OUTPUT -p tcp --syn -j TCPMSS ! --set-mss 5
            iptables -t mangle -A OUTPUT -j TCPMSS -h
            iptables -A FORWARD -p tcp --syn -j TCPMSS --set-mss 1200
            iptables -A OUTPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -C FORWARD -p tcp --syn -j TCPMSS --set-mss 1400
            iptables -t mangle -C FORWARD -p tcp --syn -j TCPMSS --set-mss 1401
            iptables -t mangle -C FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -D FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -D FORWARD -p tcp --tcp-flags SYN,RST,ACK,FIN SYN -j TCPMSS --clamp-mss-to-pmtu
            """);
        diff.CompareListings("filter", "mangle");
    }

    [KernelFact]
    public void TcpmssTarget_KernelRefusals_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A FORWARD -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD ! -p tcp -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p udp -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp --dport 80 -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp ! --syn -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST RST -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp ! --tcp-flags SYN SYN -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp --tcp-flags ALL SYN,ACK -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp --tcp-flags NONE SYN -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -p tcp --dport 80 -m tcp --syn -j TCPMSS --set-mss 5
            iptables -t mangle -A PREROUTING -p tcp --syn -j TCPMSS --set-mss 5
            iptables -t mangle -A PREROUTING -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -A INPUT -p tcp -j TCPMSS --clamp-mss-to-pmtu
            iptables -A INPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t nat -A OUTPUT -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t raw -A PREROUTING -p tcp --syn -j TCPMSS --set-mss 100
            iptables -t mangle -N clamp
            iptables -t mangle -A clamp -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -A clamp -p tcp -j TCPMSS --set-mss 5
            iptables -t mangle -A FORWARD -j clamp
            iptables -t mangle -A POSTROUTING -j clamp
            iptables -t mangle -A PREROUTING -j clamp
            iptables -t mangle -A INPUT -g clamp
            iptables -t mangle -N other
            iptables -t mangle -A other -j clamp
            iptables -t mangle -A OUTPUT -j other
            iptables -t mangle -A INPUT -j other
            """);
        diff.CompareListings("filter", "mangle", "nat", "raw");
    }
}
