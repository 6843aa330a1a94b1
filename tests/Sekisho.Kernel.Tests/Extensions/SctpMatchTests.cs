using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The sctp match: ports, chunk types with flags, inversions, the flag slot limit, errors, listings.</summary>
public sealed class SctpMatchTests
{
    [KernelFact]
    public void SctpMatch_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p sctp --dport 80 -j ACCEPT
            iptables -A INPUT -p sctp --sport 1:1023 --dport 5000:
            iptables -A INPUT -p sctp ! --sport 5 ! --dport 6
            iptables -A INPUT -p sctp --sport :
            iptables -A INPUT -p sctp ! --dport :
            iptables -A INPUT -p sctp --source-port http --destination-port :https
            iptables -A INPUT -p sctp --chunk-types any DATA,INIT
            iptables -A INPUT -p sctp --chunk-types ALL data:IUbe,abort:t
            iptables -A INPUT -p sctp ! --chunk-types only INIT,INIT_ACK,SACK
            iptables -A INPUT -p sctp --chunk-types all ALL
            iptables -A INPUT -p sctp --chunk-types any none
            iptables -A INPUT -p sctp --chunk-types Only all
            iptables -A INPUT -p sctp --chunk-types all I_DATA:I
            iptables -A INPUT -p sctp --chunk-types all DATA:-
            iptables -A INPUT -p sctp --chunk-types all DATA:i,DATA:U,,INIT
            iptables -A INPUT -p sctp --chunk-types any DATA:I,INIT:-,ABORT:T,SHUTDOWN_COMPLETE:t
            iptables -A INPUT -p sctp --chunk-types any PAD,RE_CONFIG,ASCONF,ASCONF_ACK,FORWARD_TSN,I_FORWARD_TSN
            iptables -A INPUT -p sctp --chunk-types any HEARTBEAT,HEARTBEAT_ACK,SHUTDOWN,SHUTDOWN_ACK,ERROR
            iptables -A INPUT -p sctp --chunk-types any COOKIE_ECHO,COOKIE_ACK,ECN_ECNE,ECN_CWR,I_DATA
            iptables -A INPUT -p sctp --dport 9 --chunk-types all INIT --sport 10
            iptables -A INPUT -p 132 --dport 22
            iptables -A INPUT -p sctp -m sctp --chunk-types any DATA -m sctp --sport 5
            iptables -A OUTPUT -p sctp --sport 2905 -j ACCEPT
            iptables -A INPUT -p sctp --chunk-types any DATA:I,INIT:-,ABORT:T,SHUTDOWN_COMPLETE:t,COOKIE_ACK:-
            iptables -A INPUT -p sctp --chunk-types any DATA:X
            iptables -A INPUT -p sctp --chunk-types any INIT:I
            iptables -A INPUT -p sctp --chunk-types any FOO
            iptables -A INPUT -p sctp --chunk-types any FOO:I
            iptables -A INPUT -p sctp --chunk-types any ALL,DATA
            iptables -A INPUT -p sctp --chunk-types maybe DATA
            iptables -A INPUT -p sctp --chunk-types any
            iptables -A INPUT -p sctp --chunk-types any -j ACCEPT
            iptables -A INPUT -p sctp --chunk-types any ! DATA
            iptables -A INPUT -p sctp --chunk-types any DATA --chunk-types all INIT
            iptables -A INPUT -p sctp --sport 5 --sport 6
            iptables -A INPUT -p sctp --dport 5 --destination-port 6
            iptables -A INPUT -p sctp --dport 5:4
            iptables -A INPUT -p sctp --dport 65536
            iptables -A INPUT -p sctp --dport foo
            iptables -A INPUT -p sctp --dport 1:2:3
            iptables -A INPUT -m sctp --dport 5
            iptables -A INPUT ! -p sctp --dport 5
            iptables -D INPUT -p sctp --dport 80 -j ACCEPT
            iptables -C INPUT -p sctp --chunk-types any DATA,INIT
            iptables -C INPUT -p sctp --chunk-types any INIT,DATA
            iptables -C INPUT -p sctp --chunk-types all DATA,INIT
            iptables -C INPUT -p sctp --chunk-types ALL DATA:IUBE,ABORT:t
            iptables -C INPUT -p sctp --chunk-types ALL data:IUbe,abort:t
            iptables -C INPUT -p sctp --sport :
            iptables -C INPUT -p sctp
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void SctpMatch_Help_AndRestore_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -m sctp -h
            iptables -p sctp -h
            iptables -A INPUT -p sctp --dport 80 --chunk-types only DATA:Ie,INIT -j ACCEPT
            iptables -A INPUT -p sctp ! --sport 7
            """);
        string saved = diff.Step("iptables-save").Stdout;
        diff.Step("iptables -F");
        diff.Step("iptables-restore", saved);
        diff.CompareListings();
    }
}
