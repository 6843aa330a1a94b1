using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>iptables-restore and iptables-save against the kernel: formats, options, errors, atomicity.</summary>
public sealed class RestoreTests
{
    private const string TwoTables = """
        # a comment
        *nat
        :PREROUTING ACCEPT [1:2]
        :INPUT ACCEPT [3:4]
        :OUTPUT ACCEPT [5:6]
        :POSTROUTING ACCEPT [7:8]
        :custom - [0:0]
        [9:10] -A PREROUTING -s 10.0.0.0/8 -j custom
        -A custom -d 10.1.2.3/32 -j RETURN
        COMMIT

        *filter
        :INPUT DROP [11:12]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [13:14]
        :udp-in - [0:0]
        :tcp-in - [0:0]
        [15:16] -A INPUT -i lo -j ACCEPT
        [17:18] -A INPUT -p tcp -m tcp --dport 22 -j tcp-in
        -A INPUT -s 192.0.2.0/24 -g udp-in
        -A tcp-in -p tcp -m tcp --sport 1024:65535 -j ACCEPT
        -A udp-in -j LOG --log-prefix "udp in: " --log-level 6
        COMMIT

        """;

    [KernelFact]
    public void Restore_WithAndWithoutCounters_MatchesKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables-restore", TwoTables);
        diff.CompareListings("filter", "nat");
        diff.Step("iptables-restore -c", TwoTables);
        diff.CompareListings("filter", "nat");
        diff.Step("iptables-restore --counters", TwoTables);
        diff.Step("iptables-save -c");
    }

    [KernelFact]
    public void Restore_NoflushTableTestAndVerbose_MatchKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables -N keep");
        diff.Step("iptables -A keep -j ACCEPT");
        diff.Step("iptables -A INPUT -s 10.9.9.9 -j DROP");
        diff.Step("iptables-restore -n", "*filter\n:keep - [0:0]\n-A INPUT -s 10.8.8.8 -j DROP\nCOMMIT\n");
        diff.Step("iptables-save");
        diff.Step("iptables-restore --noflush", "*filter\n-A INPUT -s 10.7.7.7 -j DROP\nCOMMIT\n");
        diff.Step("iptables-save");
        diff.Step("iptables-restore -T nat", TwoTables);
        diff.Step("iptables-save");
        diff.Step("iptables-restore --table=filter", TwoTables);
        diff.Step("iptables-save");
        diff.Step("iptables-restore -t", "*filter\n-A INPUT -s 10.6.6.6 -j DROP\nCOMMIT\n");
        diff.Step("iptables-save");
        diff.Step("iptables-restore -v", TwoTables);
        diff.Step("iptables-restore -v -n", "*filter\n-A INPUT -s 10.5.5.5 -j DROP\nCOMMIT\n");
        diff.Step("iptables-save -c");
    }

    [KernelFact]
    public void Restore_Errors_ReportLineAndKeepTables()
    {
        using var diff = new Differential();
        diff.Step("iptables-restore", TwoTables);
        diff.Steps("iptables -A INPUT -s 10.1.1.1 -j ACCEPT");

        // A bad rule in the second table: the first table is committed, the second is left as it was.
        diff.Step("iptables-restore", "*nat\n:custom2 - [0:0]\nCOMMIT\n*filter\n-A INPUT -s 10.2.2.2 -j ACCEPT\n-A INPUT --bogus\nCOMMIT\n");
        diff.Step("iptables-save");
        diff.Step("iptables-restore", "*filter\n-A INPUT -j nochain\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -p tcp --dport 99999\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-D INPUT -s 10.3.3.3 -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -j ACCEPT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -j ACCEPT\nCOMMIT");
        diff.Step("iptables-restore", "COMMIT\n");
        diff.Step("iptables-restore", "-A INPUT -j ACCEPT\n");
        diff.Step("iptables-restore", "*nosuchtable\nCOMMIT\n");
        diff.Step("iptables-restore", "*\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n:\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n:INPUT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n:INPUT BOGUS\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n:NOTBUILTIN ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n:dup - [0:0]\n:dup - [0:0]\nCOMMIT\n");
        diff.Step("iptables-restore -c", "*filter\n:INPUT ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore -c", "*filter\n:INPUT ACCEPT [x:1]\nCOMMIT\n");
        diff.Step("iptables-restore -c", "*filter\n[1:2 -A INPUT -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore -c", "*filter\n[12] -A INPUT -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore -c", "*filter\n[a:b] -A INPUT -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -t nat -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -w -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -6 -j ACCEPT\n-A INPUT -4 -s 10.4.4.4 -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -m comment --comment \"quoted \\\" text\" -j ACCEPT\nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n   \nCOMMIT\n");
        diff.Step("iptables-restore", "*filter\n-A INPUT -j ACCEPT\n*nat\nCOMMIT\n");
        diff.Step("iptables-restore --bogus", "");
        diff.Step("iptables-restore /nonexistent/file", "");
        diff.Step("iptables-restore a b", "");
        diff.Step("iptables-restore -W", "");
        diff.Step("iptables-restore -V", "");
        diff.Step("iptables-save");
    }

    [KernelFact]
    public void Save_Options_MatchKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables-save");
        diff.Step("iptables-restore", TwoTables);
        diff.Steps("""
            iptables -t mangle -A PREROUTING -s 10.0.0.1
            iptables -t raw -A OUTPUT -d 10.0.0.2
            iptables-save
            iptables-save -c
            iptables-save -t nat
            iptables-save --table filter -c
            iptables-save -t security
            iptables-save
            iptables-save -t nosuchtable
            iptables-save extra
            iptables-save --bogus
            iptables-save -V
            iptables-save -d
            """);
    }
}
