using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The conntrack match and its state alias: every option, lists, inversions, ranges, errors, listings.</summary>
public sealed class ConntrackMatchTests
{
    [KernelFact]
    public void Conntrack_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT
            iptables -A INPUT -m conntrack ! --ctstate INVALID,UNTRACKED,SNAT,DNAT,RELATED
            iptables -A INPUT -m conntrack --ctstate inv,est,new,rel,un,s,d
            iptables -A INPUT -m conntrack --ctproto tcp --ctorigsrc 10.0.0.1 --ctorigdst 10.1.0.0/16
            iptables -A INPUT -m conntrack ! --ctreplsrc 192.0.2.1/255.255.255.0 --ctrepldst 0.0.0.0/0
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.1/32 ! --ctorigdst 198.51.100.7/255.0.255.0
            iptables -A INPUT -m conntrack ! --ctproto 17 --ctreplsrc 0/0
            iptables -A INPUT -m conntrack --ctorigsrcport 22 --ctorigdstport 1:2 ! --ctreplsrcport : --ctrepldstport 0:0
            iptables -A INPUT -m conntrack --ctorigsrcport :4 --ctorigdstport 4: --ctreplsrcport 4:4 --ctrepldstport ssh
            iptables -A INPUT -m conntrack --ctstatus NONE
            iptables -A INPUT -m conntrack ! --ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED
            iptables -A INPUT -m conntrack --ctstatus e,s,a,c,n
            iptables -A INPUT -m conntrack --ctexpire 5 --ctdir REPLY
            iptables -A INPUT -m conntrack ! --ctexpire 5:10 --ctdir original
            iptables -A INPUT -m conntrack --ctexpire 7: --ctdir ORIGINAL --ctstate NEW
            iptables -A INPUT -m conntrack --ctexpire 0:4294967295
            iptables -A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate ESTABLISHED
            iptables -A FORWARD -m conntrack --cts NEW --ctprot udp
            iptables -t raw -A PREROUTING -m conntrack --ctstate UNTRACKED
            iptables -t nat -A POSTROUTING -m conntrack --ctstate DNAT
            """);
        diff.CompareListings("filter", "raw", "nat");
    }

    [KernelFact]
    public void Conntrack_BadValues_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m conntrack
            iptables -A INPUT -m conntrack --ctstate NEW,
            iptables -A INPUT -m conntrack --ctstate NEW,,FOO
            iptables -A INPUT -m conntrack --ctstate FOO,BAR
            iptables -A INPUT -m conntrack --ctstate ""
            iptables -A INPUT -m conntrack --ctstate NEWER
            iptables -A INPUT -m conntrack --ctstatus NONE,BOGUS
            iptables -A INPUT -m conntrack --ctstatus ,
            iptables -A INPUT -m conntrack --ctdir foo
            iptables -A INPUT -m conntrack ! --ctdir REPLY
            iptables -A INPUT -m conntrack --ctdir REPLY --ctdir ORIGINAL
            iptables -A INPUT -m conntrack --ctorigsrcport 70000
            iptables -A INPUT -m conntrack --ctorigsrcport nosuchservice
            iptables -A INPUT -m conntrack --ctorigsrcport 1:2:3
            iptables -A INPUT -m conntrack --ctexpire 1:2:3
            iptables -A INPUT -m conntrack --ctexpire 42949672956
            iptables -A INPUT -m conntrack --ctexpire -1
            iptables -A INPUT -m conntrack --ctexpire 1x
            iptables -A INPUT -m conntrack --ctproto foo
            iptables -A INPUT -m conntrack --ctproto 256
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.1/33
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.1/x
            iptables -A INPUT -m conntrack --ctstate NEW --ctstate NEW
            iptables -A INPUT -m conntrack --cts NEW
            iptables -A INPUT -m conntrack --ctstate
            iptables -A INPUT -m conntrack ! --ctstate
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void State_AliasOfConntrack_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m state --state NEW,RELATED -j ACCEPT
            iptables -A INPUT -m state ! --state inv,est
            iptables -A INPUT -m state --state UNTRACKED
            iptables -A INPUT -m state --state NEW -m conntrack --ctstate NEW
            iptables -A OUTPUT -m state --state established,related
            iptables -A OUTPUT -m state --state NEW,
            iptables -A OUTPUT -m state --state ""
            iptables -A OUTPUT -m state --state NEW,,X
            iptables -A OUTPUT -m state --state X,NEW
            iptables -A OUTPUT -m state --state SNAT
            iptables -A OUTPUT -m state
            iptables -A OUTPUT -m state wrong
            iptables -A OUTPUT -m state --state NEW --state NEW
            iptables -D INPUT -m conntrack --ctstate NEW,RELATED -j ACCEPT
            iptables -C INPUT -m state --state RELATED,NEW -j ACCEPT
            iptables -C INPUT -m state ! --state INVALID,ESTABLISHED
            iptables -C INPUT -m conntrack --ctstate UNTRACKED
            iptables -D INPUT -m state --state NEW,RELATED -j ACCEPT
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Conntrack_DeleteAndCheck_CompareWholeStructure()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.1
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.2/32
            iptables -A INPUT -m conntrack --ctorigsrc 10.0.0.3/255.0.255.0
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.1/32
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.1
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.2
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.2/32
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.3
            iptables -C INPUT -m conntrack --ctorigsrc 10.0.0.3/255.255.0.255
            iptables -A INPUT -m conntrack --ctorigsrcport 5 --ctexpire 3
            iptables -C INPUT -m conntrack --ctorigsrcport 5:5 --ctexpire 3:3
            iptables -C INPUT -m conntrack --ctdir ORIGINAL
            iptables -A INPUT -m conntrack --ctdir ORIGINAL
            iptables -A INPUT -m conntrack --ctdir REPLY --ctdir ORIGINAL
            iptables -D INPUT -m conntrack --ctdir original
            iptables -D INPUT -m conntrack --ctorigsrc 10.0.0.2/32
            iptables -D INPUT 1
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Conntrack_Help_LikeIptables()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m conntrack -h
            iptables -m state -h
            iptables -m state -m conntrack --help
            """);
    }
}
