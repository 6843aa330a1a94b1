using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>Every iptables command and its errors, compared with the kernel.</summary>
public sealed class CommandTests
{
    [KernelFact]
    public void ChainCommands_CreateRenameDeleteAndErrors_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -N zeta
            iptables -N alpha
            iptables -N mid
            iptables -N alpha
            iptables -N ACCEPT
            iptables -N -bad
            iptables -N LOG
            iptables -N "with space"
            iptables -N abcdefghijklmnopqrstuvwxyzABCD
            iptables -A INPUT -j alpha
            iptables -A alpha -g mid
            iptables -X alpha
            iptables -X INPUT
            iptables -X nonexistent
            iptables -E mid middle
            iptables -E middle alpha
            iptables -E nonexistent foo
            iptables -E INPUT foo
            iptables -E zeta
            iptables -L
            iptables -L -v -n
            iptables -S
            iptables -F alpha
            iptables -X zeta
            iptables -X
            iptables -D INPUT 1
            iptables -X
            iptables -L
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void RuleCommands_InsertReplaceDeleteCheck_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -s 10.0.0.1 -j ACCEPT
            iptables -A INPUT -s 10.0.0.2 -j DROP
            iptables -I INPUT -s 10.0.0.3 -j ACCEPT
            iptables -I INPUT 2 -s 10.0.0.4 -j ACCEPT
            iptables -I INPUT 6 -s 10.0.0.5 -j ACCEPT
            iptables -I INPUT 5 -s 10.0.0.5 -j ACCEPT
            iptables -R INPUT 1 -s 10.0.0.6 -j DROP
            iptables -R INPUT 9 -s 10.0.0.6 -j DROP
            iptables -R INPUT
            iptables -R INPUT 1 -s 10.0.0.6,10.0.0.7 -j DROP
            iptables -C INPUT -s 10.0.0.6 -j DROP
            iptables -C INPUT -s 10.0.0.6 -j ACCEPT
            iptables -D INPUT -s 10.0.0.9 -j ACCEPT
            iptables -D INPUT -s 10.0.0.4 -j ACCEPT
            iptables -D INPUT 7
            iptables -D INPUT 0
            iptables -D INPUT 2
            iptables -D INPUT x
            iptables -A nochain -j ACCEPT
            iptables -A INPUT -j OUTPUT
            iptables -A INPUT -j nochain
            iptables -A INPUT -g nochain
            iptables -A INPUT -s 10.0.0.1,10.0.0.2 -d 10.1.0.1,10.1.0.2 -j ACCEPT
            iptables -I INPUT -s 10.2.0.1,10.2.0.2 -j ACCEPT
            iptables -A INPUT ! -s 10.0.0.1,10.0.0.2 -j ACCEPT
            iptables -D INPUT -s 10.0.0.1,10.0.0.2 -d 10.1.0.1,10.1.0.2 -j ACCEPT
            iptables -N user
            iptables -A INPUT -s 10.3.0.1 -j user
            iptables -C INPUT -s 10.3.0.1 -j user
            iptables -C INPUT -s 10.3.0.2 -j user
            iptables -D INPUT -s 10.3.0.2 -g user
            iptables -C INPUT -j QUEUE
            iptables -C INPUT -s 10.3.0.1
            iptables -D INPUT -j OUTPUT
            iptables -C INPUT -j OUTPUT
            iptables -L --line-numbers
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void PoliciesAndCounters_SetZeroAndList_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -P INPUT DROP
            iptables -P FORWARD ACCEPT -c 10 20
            iptables -P OUTPUT REJECT
            iptables -P nochain ACCEPT
            iptables -A INPUT -c 123456 987654321 -j ACCEPT
            iptables -A INPUT -c 99999,100000 -j ACCEPT
            iptables -A INPUT -c 5 -j ACCEPT
            iptables -A INPUT -c 5,x -j ACCEPT
            iptables -A INPUT -c 1234567890123 12345678901234567 -j DROP
            iptables -I INPUT 2 --set-counters 7 8 -s 10.9.9.9 -j DROP
            iptables -L -v
            iptables -L -v -x
            iptables -Z INPUT 2
            iptables -L -v -x
            iptables -L -Z -v
            iptables -L -v
            iptables -P INPUT ACCEPT
            iptables -S -v
            iptables -Z FORWARD
            iptables -Z nochain
            iptables -Z INPUT 9
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void OptionErrors_MatchKernelMessagesAndStatus()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables
            iptables -A
            iptables -A INPUT -p
            iptables -A INPUT -p foo
            iptables -A INPUT ! -p all
            iptables -A INPUT -s 1.2.3.4.5
            iptables -A INPUT -s 1.2.3.4/33
            iptables -A INPUT -d 256.1.1.1
            iptables -A INPUT -i
            iptables -A INPUT -i ""
            iptables -A INPUT -i abcdefghijklmnop
            iptables -A INPUT -o eth0
            iptables -A OUTPUT -i eth0
            iptables -A INPUT -j ACCEPT -j DROP
            iptables -A INPUT ! -j ACCEPT
            iptables -A INPUT ! ! -s 1.2.3.4
            iptables -A INPUT -s 1.2.3.4 !
            iptables -A INPUT --bogus
            iptables -A INPUT -y
            iptables -A INPUT extra
            iptables -A INPUT -m nosuchmatch
            iptables -A INPUT -j nosuchtarget
            iptables -L -A INPUT
            iptables -L INPUT -s 1.2.3.4
            iptables -F -v INPUT -n
            iptables -D INPUT -c 1 2 -j ACCEPT
            iptables -t nosuchtable -L
            iptables -t nat -A POSTROUTING -j DROP
            iptables -t nat -P POSTROUTING DROP
            iptables -A INPUT -p tcp --dport 22 --sport 80:79
            iptables -A INPUT -p tcp --dp 22 -j ACCEPT
            iptables -A INPUT -p tcp --d 22
            iptables -A INPUT --pro tcp -j ACCEPT
            iptables -A INPUT -m tcp --dport 1
            iptables -A INPUT -p udp -m tcp --dport 1
            iptables -w -A INPUT -j ACCEPT
            iptables -w 5 -A INPUT -j ACCEPT
            iptables -4 -A INPUT -j ACCEPT
            iptables -6 -A INPUT -j ACCEPT
            iptables -V
            iptables -L -n --line-numbers -v
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void VerboseRuleNumbersAndNames_MatchKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -v -A INPUT -s 10.0.0.1,10.0.0.2 -d 192.0.2.1 -p tcp --dport 22 -j ACCEPT
            iptables -v -I INPUT -i eth+ ! -o lo -j DROP
            iptables -v -A FORWARD -f -j ACCEPT
            iptables -v -A FORWARD ! -f -p 47 -j ACCEPT
            iptables -v -D FORWARD -f -j ACCEPT
            iptables -v -C FORWARD ! -f -p gre -j ACCEPT
            iptables -v -R INPUT 1 -s localhost -j ACCEPT
            iptables -A INPUT -s localhost -d 127.0.0.1/8 -j ACCEPT
            iptables -A INPUT -s 127.0.0.1/255.0.0.0 -j ACCEPT
            iptables -A INPUT -s 10.0.0.0/255.0.255.0 -j ACCEPT
            iptables -A INPUT -s 0/0 -d any/0 -j ACCEPT
            iptables -A INPUT -s 10.1 -j ACCEPT
            iptables -A INPUT -p udp -s 010.0x10.1.1 -j ACCEPT
            iptables -A INPUT -p UDP -j ACCEPT
            iptables -A INPUT -p ipv6-icmp -j ACCEPT
            iptables -A INPUT -p 255 -j ACCEPT
            iptables -A INPUT -p 256 -j ACCEPT
            iptables -A INPUT -s nosuchhost.invalid -j ACCEPT
            iptables -N chain-a
            iptables -A chain-a -j RETURN
            iptables -A INPUT -g chain-a
            iptables -A INPUT -j chain-a
            iptables -L INPUT 2
            iptables -L INPUT 99
            iptables -L chain-a -v
            iptables -S INPUT 3
            iptables -S INPUT 99
            iptables -S chain-a
            iptables -S chain-a 1 -v
            iptables -L -n -v --line-numbers
            iptables -Z INPUT 3 -v
            iptables -L -Z INPUT -v
            iptables -S -Z
            iptables -F -v
            iptables -X -v
            iptables -Z -v
            """);
        diff.CompareListings();
    }
}
