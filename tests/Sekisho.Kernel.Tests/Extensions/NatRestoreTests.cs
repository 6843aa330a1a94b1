using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The NAT targets through iptables-restore: whole tables, round trips, refusals at COMMIT.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class NatRestoreTests
{
    private const string NatTable = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        :fw - [0:0]
        :map - [0:0]
        -A PREROUTING -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.22:22
        -A PREROUTING -p tcp -j DNAT --to-destination 192.0.2.1-192.0.2.3:1000-2000/3000 --random --persistent
        -A PREROUTING -p tcp -j REDIRECT --to-ports 3128 --random
        -A PREROUTING -j fw
        -A INPUT -j SNAT --to-source 192.0.2.5 --random-fully
        -A INPUT -j map
        -A OUTPUT -j fw
        -A OUTPUT -j map
        -A POSTROUTING -o eth0 -j MASQUERADE --random --random-fully
        -A POSTROUTING -p udp -j MASQUERADE --to-ports 1024-65535
        -A POSTROUTING -p udp -j SNAT --to-source 192.0.2.1-192.0.2.9:53 --persistent
        -A POSTROUTING -j map
        -A fw -p tcp -j DNAT --to-destination :8080
        -A fw -j REDIRECT
        -A map -j NETMAP --to 198.51.100.0/24
        COMMIT

        """;

    [KernelFact]
    public void NatTable_RestoredSavedAndRestoredAgain_LikeKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables-restore", NatTable);
        diff.CompareListings("nat");
        string saved = diff.Step("iptables-save -t nat").Stdout;
        diff.Step("iptables -t nat -F");
        diff.Step("iptables-restore", saved);
        diff.CompareListings("nat");
        diff.Step("iptables-restore --noflush", "*nat\n-A map -j NETMAP --to 10.0.0.0/8\n-I fw -p sctp -j DNAT --to-destination 192.0.2.9:9\nCOMMIT\n");
        diff.CompareListings("nat");
    }

    [KernelFact]
    public void NatTable_RefusedAtCommitOrParse_LikeKernel()
    {
        using var diff = new Differential();
        diff.Step("iptables-restore", NatTable);
        diff.StepKernelLog(
            "iptables-restore --noflush",
            "DNAT target",
            "*nat\n-A POSTROUTING -j fw\nCOMMIT\n");
        diff.StepKernelLog(
            "iptables-restore",
            "SNAT target",
            "*nat\n:PREROUTING ACCEPT [0:0]\n:s - [0:0]\n-A PREROUTING -j s\n-A s -j SNAT --to-source 192.0.2.1\nCOMMIT\n");
        diff.StepKernelLog(
            "iptables-restore",
            "MASQUERADE target",
            "*filter\n-A FORWARD -j MASQUERADE\nCOMMIT\n");
        diff.Step("iptables-restore", "*nat\n-A POSTROUTING -j SNAT --to-source 192.0.2.1:80\nCOMMIT\n");
        diff.Step("iptables-restore", "*nat\n-A POSTROUTING -j SNAT\nCOMMIT\n");
        diff.Step("iptables-restore", "*nat\n-A PREROUTING -p tcp -j REDIRECT --to-ports 1-2/3\nCOMMIT\n");
        diff.Step("iptables-restore", "*nat\n-A PREROUTING -j NETMAP --to 10.0.0.0/99\nCOMMIT\n");
        diff.CompareListings("nat", "filter");
    }
}
