using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>
/// REJECT, NFLOG, MARK, CONNMARK, TCPMSS, TOS, DSCP, CHECKSUM, CT and NOTRACK together: what iptables-save writes
/// restores to the same rules, and a restore with a refused rule fails as on the kernel.
/// </summary>
public sealed class TargetSaveRestoreTests
{
    [KernelFact]
    public void SavedTargets_RestoreToTheSameRules()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -p tcp -j REJECT --reject-with tcp-reset
            iptables -A INPUT -j REJECT --reject-with admin-prohib
            iptables -A FORWARD -j NFLOG --nflog-prefix "a \"quoted\" prefix" --nflog-group 3 --nflog-size 100 --nflog-threshold 5
            iptables -A FORWARD -j NFLOG --nflog-range 7
            iptables -A OUTPUT -j MARK --and-mark 0xff
            iptables -t mangle -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xf0 --right-shift-mark 4
            iptables -t mangle -A PREROUTING -j CONNMARK --set-mark 0x10/0x30
            iptables -t mangle -A FORWARD -p tcp --syn -j TCPMSS --clamp-mss-to-pmtu
            iptables -t mangle -A OUTPUT -p tcp --tcp-flags SYN,ACK SYN -j TCPMSS --set-mss 1360
            iptables -t mangle -A OUTPUT -j TOS --set-tos Minimize-Cost
            iptables -t mangle -A OUTPUT -j DSCP --set-dscp-class AF42
            iptables -t mangle -A POSTROUTING -p udp -j CHECKSUM --checksum-fill
            iptables -t raw -A PREROUTING -j NOTRACK
            iptables -t raw -A PREROUTING -p udp -j CT --helper tftp --ctevents new,related --expevents new --zone-reply mark
            iptables -t raw -A OUTPUT -j CT --notrack --zone 9
            """);
        string saved = diff.Step("iptables-save").Stdout;
        diff.Step("iptables -t filter -F");
        diff.Step("iptables -t mangle -F");
        diff.Step("iptables -t raw -F");
        diff.Step("iptables-restore", saved);
        diff.CompareListings("filter", "mangle", "raw");
        diff.Step("iptables-restore --noflush", """
            *mangle
            -A INPUT -j TCPMSS --set-mss 5
            COMMIT

            """);
        diff.Step("iptables-restore --test", """
            *raw
            -A OUTPUT -j CT --zone 70000
            COMMIT

            """);
        diff.CompareListings("filter", "mangle", "raw");
    }
}
