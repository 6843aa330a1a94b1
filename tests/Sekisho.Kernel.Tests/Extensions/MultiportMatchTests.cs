using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The multiport match: port lists and ranges for each protocol, the 15-slot limit, errors, listings.</summary>
public sealed class MultiportMatchTests
{
    [KernelFact]
    public void MultiportMatch_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
            iptables -A INPUT -p tcp -m multiport --sports 1024:65535,53
            iptables -A INPUT -p udp -m multiport ! --ports 53,67:68
            iptables -A INPUT -p udplite -m multiport --dports 1,2
            iptables -A INPUT -p sctp -m multiport --source-ports 5
            iptables -A INPUT -p dccp -m multiport --destination-ports 7:9
            iptables -A INPUT -p 6 -m multiport --dports 25
            iptables -A INPUT -p tcp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
            iptables -A INPUT -p tcp -m multiport --ports 1:2,3:4,5:6,7:8,9:10,11:12,13:14,15
            iptables -A INPUT -p tcp -m multiport --ports ssh,http,https
            iptables -A INPUT -p udp -m multiport --dports domain,ntp:123
            iptables -A INPUT -p tcp -m multiport --dports 22 -m multiport ! --sports 22
            iptables -A INPUT -p tcp -m multiport --dp 1 -m multiport --sp 2
            iptables -A OUTPUT -p tcp -m multiport --sports 0,65535 -j DROP
            iptables -A INPUT -p tcp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
            iptables -A INPUT -p tcp -m multiport --ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:20
            iptables -A INPUT -p tcp -m multiport --ports 5:5
            iptables -A INPUT -p tcp -m multiport --ports 6:5
            iptables -A INPUT -p tcp -m multiport --ports 1,,2
            iptables -A INPUT -p tcp -m multiport --ports 1:2:3
            iptables -A INPUT -p tcp -m multiport --ports 99999
            iptables -A INPUT -p tcp -m multiport --ports nosuchservice
            iptables -A INPUT -p tcp -m multiport --sports 1 --dports 2
            iptables -A INPUT -p tcp -m multiport --sports 1 --source-ports 2
            iptables -A INPUT -p tcp -m multiport --ports 1 --ports 2
            iptables -A INPUT -m multiport --ports 1
            iptables -A INPUT -m multiport --ports 1 -p tcp
            iptables -A INPUT -p icmp -m multiport --ports 1
            iptables -A INPUT ! -p tcp -m multiport --ports 1
            iptables -A INPUT -p all -m multiport --ports 1
            iptables -A INPUT -p tcp -m multiport
            iptables -A INPUT -p tcp -m multiport --ports
            iptables -A INPUT -p tcp -m multiport --p 1
            iptables -D INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT
            iptables -C INPUT -p udp -m multiport ! --ports 53,67:68
            iptables -C INPUT -p udp -m multiport --ports 53,67:68
            iptables -C INPUT -p udp -m multiport ! --ports 53,67,68
            iptables -C INPUT -p tcp -m multiport --sports 1024:65535,53
            iptables -C INPUT -p tcp -m multiport --dports 1024:65535,53
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void MultiportMatch_Help_AndRestore_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m multiport -h
            iptables -A INPUT -p tcp -m multiport --dports 22,80:90 -j ACCEPT
            iptables -A INPUT -p udp -m multiport ! --sports 1,2,3
            """);
        string saved = diff.Step("iptables-save").Stdout;
        diff.Step("iptables -F");
        diff.Step("iptables-restore", saved);
        diff.Step("iptables-restore", "*filter\n-A INPUT -m multiport --ports 1 -p tcp\nCOMMIT\n");
        diff.CompareListings();
    }
}
