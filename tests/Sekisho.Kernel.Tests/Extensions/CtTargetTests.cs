using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>
/// The CT target (revision 2) and the NOTRACK alias: every option, event and zone forms, helper lookup by name
/// and protocol, timeout policies, the raw-only rule, how NOTRACK lists and saves, -D/-C, restore.
/// </summary>
public sealed class CtTargetTests
{
    [KernelFact]
    public void CtTarget_AllOptions_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t raw -A PREROUTING -j CT --notrack
            iptables -t raw -A PREROUTING -j CT
            iptables -t raw -A PREROUTING -j CT --ctevents new,related,destroy,reply,assured,protoinfo,helper,mark
            iptables -t raw -A PREROUTING -j CT --ctevents natseqinfo,secmark,new
            iptables -t raw -A PREROUTING -j CT --ctevents mark,mark
            iptables -t raw -A PREROUTING -j CT --expevents new
            iptables -t raw -A PREROUTING -j CT --expevents new --ctevents destroy
            iptables -t raw -A PREROUTING -j CT --zone 0
            iptables -t raw -A PREROUTING -j CT --zone 65535
            iptables -t raw -A PREROUTING -j CT --zone 0x10
            iptables -t raw -A PREROUTING -j CT --zone 010
            iptables -t raw -A PREROUTING -j CT --zone mark
            iptables -t raw -A PREROUTING -j CT --zone MaRk
            iptables -t raw -A PREROUTING -j CT --zone-orig 5
            iptables -t raw -A PREROUTING -j CT --zone-reply 6
            iptables -t raw -A PREROUTING -j CT --zone-orig mark
            iptables -t raw -A PREROUTING -j CT --zone-reply mark
            iptables -t raw -A PREROUTING -j CT --zone-orig 1 --zone-reply 2
            iptables -t raw -A PREROUTING -j CT --zone mark --zone-orig 7
            iptables -t raw -A PREROUTING -j CT --zone 3 --zone-reply 0
            iptables -t raw -A PREROUTING -j CT --zone-orig 0
            iptables -t raw -A OUTPUT -j CT --notrack --helper bogus --zone 3 --ctevents new --expevents new --timeout none
            iptables -t raw -A OUTPUT -j CT --helper ""
            iptables -t raw -A OUTPUT -j CT --timeout ""
            iptables -t raw -A OUTPUT -j CT --zone 65536
            iptables -t raw -A OUTPUT -j CT --zone -1
            iptables -t raw -A OUTPUT -j CT --zone ""
            iptables -t raw -A OUTPUT -j CT --zone 1x
            iptables -t raw -A OUTPUT -j CT --zone marks
            iptables -t raw -A OUTPUT -j CT --zone 1 --zone 2
            iptables -t raw -A OUTPUT -j CT --ctevents bogus
            iptables -t raw -A OUTPUT -j CT --ctevents New
            iptables -t raw -A OUTPUT -j CT --ctevents new,
            iptables -t raw -A OUTPUT -j CT --ctevents ,new
            iptables -t raw -A OUTPUT -j CT --ctevents ""
            iptables -t raw -A OUTPUT -j CT --ctevents new --ctevents mark
            iptables -t raw -A OUTPUT -j CT --expevents destroy
            iptables -t raw -A OUTPUT -j CT --notrack --notrack
            iptables -t raw -A OUTPUT -j CT ! --notrack
            iptables -t raw -A OUTPUT -j CT --not
            iptables -t raw -A OUTPUT -j CT --ct new
            iptables -t raw -A OUTPUT -j CT --zone- 1
            iptables -t raw -A OUTPUT -j CT --zone-o 1
            iptables -t raw -A OUTPUT -j CT --zo 1
            iptables -t raw -A OUTPUT -j CT --helper
            iptables -t raw -A OUTPUT -j CT -h
            """);
        diff.CompareListings("raw");
    }

    [KernelFact]
    public void CtTarget_HelpersAndTimeouts_AsTheKernelFindsThem()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t raw -A PREROUTING -p tcp -j CT --helper ftp
            iptables -t raw -A PREROUTING -p udp -j CT --helper tftp
            iptables -t raw -A PREROUTING -p tcp -j CT --helper irc
            iptables -t raw -A PREROUTING -p tcp -j CT --helper sip
            iptables -t raw -A PREROUTING -p udp -j CT --helper sip
            iptables -t raw -A PREROUTING -p udp -j CT --helper amanda
            iptables -t raw -A PREROUTING -p udp -j CT --helper netbios-ns
            iptables -t raw -A PREROUTING -p udp -j CT --helper snmp
            iptables -t raw -A PREROUTING -p udp -j CT --helper snmp_trap
            iptables -t raw -A PREROUTING -p tcp -j CT --helper pptp
            iptables -t raw -A PREROUTING -p tcp -j CT --helper sane
            iptables -t raw -A PREROUTING -p udp -j CT --helper RAS
            iptables -t raw -A PREROUTING -p tcp -j CT --helper Q.931
            iptables -t raw -A PREROUTING -p udp -j CT --helper H.245
            iptables -t raw -A PREROUTING -p 6 -s 10.0.0.0/8 -j CT --helper ftp --zone 4 --ctevents new
            iptables -t raw -A PREROUTING -p udp -j CT --helper ftp
            iptables -t raw -A PREROUTING -p tcp -j CT --helper tftp
            iptables -t raw -A PREROUTING -p tcp -j CT --helper FTP
            iptables -t raw -A PREROUTING -p sctp -j CT --helper sip
            iptables -t raw -A PREROUTING -p tcp -j CT --helper h.245
            iptables -t raw -A PREROUTING -p tcp -j CT --helper bogus
            iptables -t raw -A PREROUTING -j CT --helper ftp
            iptables -t raw -A PREROUTING -p all -j CT --helper ftp
            iptables -t raw -A PREROUTING ! -p tcp -j CT --helper ftp
            iptables -t raw -A PREROUTING -p tcp -j CT --helper ftpxxxxxxxxxxxxxxxxxxxx
            iptables -t raw -A PREROUTING -p tcp -j CT --helper abcdefghijklmnopqrstuvwxyz
            iptables -t raw -A PREROUTING -p tcp -j CT --notrack --helper bogus
            iptables -t raw -A OUTPUT -p tcp -j CT --timeout test
            iptables -t raw -A OUTPUT -p udp -j CT --timeout abcdefghijklmnopqrstuvwxyz0123456789
            iptables -t raw -A OUTPUT -j CT --timeout test
            iptables -t raw -A OUTPUT ! -p udp -j CT --timeout test
            iptables -t raw -A OUTPUT -j CT --helper bogus --timeout test
            iptables -t raw -A OUTPUT -p tcp -j CT --helper ftp --timeout test
            iptables -t raw -A OUTPUT -p tcp -j CT --helper bogus --timeout test
            iptables -t raw -A OUTPUT -p tcp -j CT --notrack --timeout test
            iptables -t raw -N helpers
            iptables -t raw -A helpers -p tcp -j CT --helper ftp
            iptables -t raw -A helpers -p udp -j CT --helper ftp
            iptables -t raw -A OUTPUT -j helpers
            """);
        diff.CompareListings("raw");
    }

    [KernelFact]
    public void NotrackAlias_ListSaveDeleteAndRestore_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t raw -A PREROUTING -j NOTRACK
            iptables -t raw -A PREROUTING -p tcp --dport 53 -j NOTRACK
            iptables -t raw -A OUTPUT -d 192.0.2.1 -j NOTRACK
            iptables -t raw -A OUTPUT -j CT --notrack
            iptables -t raw -A OUTPUT -j NOTRACK --notrack
            iptables -t raw -A OUTPUT -j NOTRACK -h
            iptables -A INPUT -j NOTRACK
            iptables -t mangle -A PREROUTING -j NOTRACK
            iptables -A INPUT -j CT --notrack
            iptables -t nat -A OUTPUT -j CT --zone 1
            iptables -N NOTRACK
            iptables -N CT
            iptables -t raw -C PREROUTING -j NOTRACK
            iptables -t raw -C PREROUTING -j CT --notrack
            iptables -t raw -C OUTPUT -j CT --notrack
            iptables -t raw -C OUTPUT -j NOTRACK
            iptables -t raw -D OUTPUT -j NOTRACK
            iptables -t raw -D OUTPUT -d 192.0.2.1 -j NOTRACK
            iptables -t raw -D OUTPUT -j CT --notrack
            iptables -t raw -D OUTPUT -j CT --notrack
            """);
        diff.CompareListings("raw");
        diff.Step("iptables-restore", """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -j NOTRACK
            -A PREROUTING -p tcp -j CT --helper ftp --ctevents new,destroy --zone-orig mark
            -A OUTPUT -j CT --notrack --zone 2
            COMMIT

            """);
        diff.CompareListings("raw");
        diff.Step("iptables-restore", """
            *raw
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A PREROUTING -p tcp -j CT --helper bogus
            COMMIT

            """);
        diff.CompareListings("raw");
    }
}
