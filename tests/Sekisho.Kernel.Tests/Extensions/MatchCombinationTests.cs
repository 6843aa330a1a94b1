using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>Several of the udp ... dscp matches in one rule, in one help text, and in one restored ruleset.</summary>
public sealed class MatchCombinationTests
{
    [KernelFact]
    public void CombinedMatches_InRulesAndHelp_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m length -m ttl -m pkttype -h
            iptables -p sctp -m sctp -m dscp -h
            iptables -m mac -m iprange -m addrtype -m tos -m multiport -j ACCEPT -h
            iptables -A INPUT -p udp -m multiport --dports 53,5353 -m udp --sport 1024: -m length --length :512 -j ACCEPT
            iptables -A INPUT -p icmp --icmp-type echo-request -m ttl --ttl-gt 1 -m pkttype --pkt-type unicast -m length ! --length 1000:
            iptables -A FORWARD -m mac --mac-source 02:00:00:00:00:01 -m iprange --src-range 10.0.0.1-10.0.0.9 -m addrtype ! --dst-type LOCAL -j DROP
            iptables -A OUTPUT -p sctp --dport 2905 -m tos --tos Minimize-Delay -m dscp --dscp-class AF21 -j ACCEPT
            iptables -A INPUT -m ttl --ttl-eq 1 -m ttl --ttl-eq 2
            iptables -A INPUT -m dscp --dscp 1 -m tos --tos 2 -m dscp ! --dscp 3
            iptables -A INPUT -p udp -m udp --dport 1 -m udp --sport 2
            iptables -I INPUT 2 -m length --length 1 -m udp --dport 1
            iptables -R INPUT 1 -p udp -m multiport --sports 7 -j RETURN
            iptables -D INPUT 2
            iptables -L INPUT 1
            iptables -L INPUT 2 -n -v
            iptables -S INPUT 3
            iptables -Z INPUT 1
            iptables -C FORWARD -m mac --mac-source 02:00:00:00:00:01 -m iprange --src-range 10.0.0.1-10.0.0.9 -m addrtype ! --dst-type LOCAL -j DROP
            iptables -C FORWARD -m iprange --src-range 10.0.0.1-10.0.0.9 -m mac --mac-source 02:00:00:00:00:01 -m addrtype ! --dst-type LOCAL -j DROP
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void CombinedMatches_Restore_LikeKernel()
    {
        using var diff = new Differential();
        const string rules = """
            *mangle
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -m mac --mac-source 02:00:00:00:00:01 -m addrtype --dst-type LOCAL --limit-iface-in
            -A POSTROUTING -p tcp -m multiport --dports 80,443 -m tos ! --tos 0x10/0x3f -m dscp --dscp 0x0a
            -A FORWARD -p icmp -m icmp --icmp-type 3/4 -m length --length 576:
            COMMIT
            *filter
            :INPUT DROP [0:0]
            :FORWARD DROP [0:0]
            :OUTPUT ACCEPT [0:0]
            :SCTP - [0:0]
            -A INPUT -p sctp -j SCTP
            -A INPUT -p udp -m udp --sport 67:68 --dport 67:68 -m pkttype --pkt-type broadcast -j ACCEPT
            -A INPUT -m iprange ! --src-range 198.51.100.1-198.51.100.254 -m ttl --ttl-lt 5 -j DROP
            -A SCTP -p sctp -m sctp --dport 9899 --chunk-types only INIT,ABORT:T -j ACCEPT
            COMMIT
            """;
        diff.Step("iptables-restore", rules.Replace("\r", string.Empty) + "\n");
        diff.Step("iptables-restore --test", rules.Replace("\r", string.Empty) + "\n");
        diff.Step("iptables-restore", "*filter\n-A OUTPUT -m mac --mac-source 02:00:00:00:00:01\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -m addrtype --src-type LOCAL --limit-iface-out\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -m ttl --ttl-eq 300\nCOMMIT\n");
        diff.CompareListings("filter", "mangle");
    }
}
