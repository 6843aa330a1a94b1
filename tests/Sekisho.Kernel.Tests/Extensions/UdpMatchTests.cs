using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The udp match: ports, ranges, service names, inversions, abbreviations, errors and every listing form.</summary>
public sealed class UdpMatchTests
{
    [KernelFact]
    public void UdpMatch_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p udp --dport 53 -j ACCEPT
            iptables -A INPUT -p udp --sport 1024:65535 --dport domain
            iptables -A INPUT -p udp ! --sport 53
            iptables -A INPUT -p udp ! --dport 67:68 -j DROP
            iptables -A INPUT -p udp -m udp --dport :1023
            iptables -A INPUT -p udp -m udp --sport 6000:
            iptables -A INPUT -p udp -m udp --sport : --dport 5:5
            iptables -A INPUT -p udp --source-port ntp --destination-port snmp
            iptables -A INPUT -p udp --sp 5 --dp 0x10
            iptables -A INPUT -p udp --dest 7
            iptables -A INPUT -p 17 --dport 443
            iptables -A INPUT -p UDP --dport 500
            iptables -A INPUT -p udp --dport 22 -m udp --sport 22
            iptables -A INPUT -s 10.0.0.0/8 -p udp ! --sport 1 ! --dport 65535
            iptables -A OUTPUT -p udp --sport 123 -j ACCEPT
            iptables -N UDPCHAIN
            iptables -A UDPCHAIN -p udp --dport 5353
            iptables -A FORWARD -p udp -j UDPCHAIN
            iptables -A INPUT -p udp --dport 1:2:3
            iptables -A INPUT -p udp --dport 9:3:5
            iptables -A INPUT -p udp --sport 9:nosuchservice
            iptables -A INPUT -p udp --dport 70000
            iptables -A INPUT -p udp --dport -1
            iptables -A INPUT -p udp --dport nosuchservice
            iptables -A INPUT -p udp --dport 1 --dport 2
            iptables -A INPUT -p udp --dport 1 --destination-port 2
            iptables -A INPUT -p udp --dport
            iptables -A INPUT -p udp --d 5
            iptables -A INPUT -p udp --bogus 5
            iptables -A INPUT -m udp --dport 22
            iptables -A INPUT -p tcp -m udp --dport 22
            iptables -A INPUT ! -p udp --dport 22
            iptables -A INPUT --dport 22
            iptables -D INPUT -p udp --dport 53 -j ACCEPT
            iptables -D INPUT -p udp --dport 54 -j ACCEPT
            iptables -C INPUT -p udp --sport 1024:65535 --dport 53
            iptables -C INPUT -p udp --sport 1024: --dport 53
            iptables -C INPUT -p udp --sport 1024:65535 --dport 54
            iptables -C INPUT -p udp ! --sport 53
            iptables -C INPUT -p udp --sport 53
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void UdpMatch_Help_AndRestoreRoundTrip_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m udp -h
            iptables -p udp -h
            iptables -A INPUT -p udp --dport 53 -j ACCEPT
            iptables -A INPUT -p udp ! --sport 1:1023 --dport 1024:
            """);
        string saved = diff.Step("iptables-save").Stdout;
        diff.Step("iptables -F");
        diff.Step("iptables-restore", saved);
        diff.Step("iptables-restore", "*filter\n-A INPUT -p udp --dport 7 --sport 9\n-A INPUT -p udp --dport 99999\nCOMMIT\n");
        diff.CompareListings();
    }
}
