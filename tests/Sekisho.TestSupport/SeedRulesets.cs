namespace Sekisho.TestSupport;

/// <summary>The rulesets of the seed documents, in iptables-save form, for every test that plays them.</summary>
public static class SeedRulesets
{
    /// <summary>Seed document 000's saved ruleset on server 1: LOG, DROP, REJECT of ssh, and the OUTPUT LOG rule.</summary>
    public const string Seed000Saved = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix "[INPUT]"
        -A INPUT -s 10.1.77.146/32 -p icmp -j DROP
        -A INPUT -s 10.1.77.146/32 -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp-port-unreachable
        -A OUTPUT -p icmp -j LOG --log-prefix "[OUTPUT] "
        COMMIT

        """;

    /// <summary>
    /// Seed document 001's server ruleset, CentOS 6's default: established traffic, ICMP, lo and new ssh
    /// connections; the rest rejected with host-prohibited.
    /// </summary>
    public const string Seed001CentOsDefault = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
        -A INPUT -p icmp -j ACCEPT
        -A INPUT -i lo -j ACCEPT
        -A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
        -A INPUT -j REJECT --reject-with icmp-host-prohibited
        -A FORWARD -j REJECT --reject-with icmp-host-prohibited
        COMMIT

        """;
}
