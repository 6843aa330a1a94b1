using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>
/// Where Sekisho deliberately follows iptables 1.8.11 (the conformance cases) rather than the 1.8.9 oracle.
/// Each test pins both sides: what the kernel's tools do, and what Sekisho does instead.
/// </summary>
public sealed class KnownDeviationTests
{
    [KernelFact]
    public void InvertedFullPortRange_Saved_AsIn1811()
    {
        using var diff = new Differential();
        const string rule = "iptables -A INPUT -p tcp ! --dport :";
        Assert.Equal(0, diff.Kernel.RunIptables(rule).ExitCode);
        Assert.Equal(0, diff.Sekisho.Run(rule).ExitCode);

        // 1.8.9 drops the inverted full range from the save form; 1.8.11 keeps it, so that the rule survives a
        // save and restore unchanged.
        Assert.Contains("-A INPUT -p tcp -m tcp\n", diff.Kernel.RunIptables("iptables -S").Stdout);
        Assert.Contains("-A INPUT -p tcp -m tcp ! --dport 0:65535\n", diff.Sekisho.Run("iptables -S").Stdout);
    }

    [KernelFact]
    public void InvertedFullUdpPortRange_Saved_AsIn1811()
    {
        using var diff = new Differential();
        const string rule = "iptables -A INPUT -p udp ! --sport :";
        Assert.Equal(0, diff.Kernel.RunIptables(rule).ExitCode);
        Assert.Equal(0, diff.Sekisho.Run(rule).ExitCode);

        // Same change as for tcp: 1.8.11 keeps the inverted full range in the save form.
        Assert.Contains("-A INPUT -p udp -m udp\n", diff.Kernel.RunIptables("iptables -S").Stdout);
        Assert.Contains("-A INPUT -p udp -m udp ! --sport 0:65535\n", diff.Sekisho.Run("iptables -S").Stdout);
    }

    [KernelFact]
    public void ReversedTypedRanges_Refused_AsIn1811()
    {
        using var diff = new Differential();

        // 1.8.9 accepts a typed range whose upper bound lies below its lower bound (a rule that never matches);
        // 1.8.11 refuses it in the generic range parsers, for integer and port ranges alike.
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -p udp --sport 4:3").ExitCode);
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -m length --length 4:3").ExitCode);
        Assert.Contains("-A INPUT -p udp -m udp --sport 4:3\n", diff.Kernel.RunIptables("iptables -S").Stdout);

        var udp = diff.Sekisho.Run("iptables -A INPUT -p udp --sport 4:3");
        Assert.Equal(2, udp.ExitCode);
        Assert.StartsWith("iptables v1.8.9 (legacy): Port range 4-3 is negative.\n", udp.Stderr);
        var length = diff.Sekisho.Run("iptables -A INPUT -m length --length 4:3");
        Assert.Equal(2, length.ExitCode);
        Assert.StartsWith(
            "iptables v1.8.9 (legacy): length: bad value for option \"--length\" near \"3\", or out of range (4-65535).\n",
            length.Stderr);
        Assert.DoesNotContain("-A INPUT", diff.Sekisho.Run("iptables -S").Stdout);
    }

    [KernelFact]
    public void IcmpType255WithCode_Saved_AsIn1811()
    {
        using var diff = new Differential();
        const string rule = "iptables -A INPUT -p icmp --icmp-type 255/255";
        Assert.Equal(0, diff.Kernel.RunIptables(rule).ExitCode);
        Assert.Equal(0, diff.Sekisho.Run(rule).ExitCode);

        // 1.8.9 saves every type-255 match as "any", losing the code; 1.8.11 does so only for the full code range.
        Assert.Contains("-A INPUT -p icmp -m icmp --icmp-type any\n", diff.Kernel.RunIptables("iptables -S").Stdout);
        Assert.Contains("-A INPUT -p icmp -m icmp --icmp-type 255/255\n", diff.Sekisho.Run("iptables -S").Stdout);
    }

    [KernelFact]
    public void GluedAndEqualsArguments_Accepted_AsIn1811()
    {
        using var diff = new Differential();

        // 1.8.9 takes the text of the whole argument ("-ptcp", "--protocol=tcp") as the protocol or address.
        Assert.NotEqual(0, diff.Kernel.RunIptables("iptables -A FORWARD -ptcp -jACCEPT").ExitCode);
        Assert.NotEqual(0, diff.Kernel.RunIptables("iptables -A FORWARD --protocol=tcp --source=1.2.3.4 -j ACCEPT").ExitCode);
        Assert.Equal(0, diff.Sekisho.Run("iptables -A FORWARD -ptcp -s1.2.3.4 -jACCEPT").ExitCode);
        Assert.Equal(0, diff.Sekisho.Run("iptables -A FORWARD --protocol=tcp --source=1.2.3.4 -j ACCEPT").ExitCode);
        Assert.Equal(
            "-A FORWARD -s 1.2.3.4/32 -p tcp -j ACCEPT\n-A FORWARD -s 1.2.3.4/32 -p tcp -j ACCEPT\n",
            string.Concat(diff.Sekisho.Run("iptables -S FORWARD").Stdout.Split('\n').Where(l => l.StartsWith("-A")).Select(l => l + "\n")));
    }

    [KernelFact]
    public void InvertedWildcardInterface_Saved_AsIn1811()
    {
        using var diff = new Differential();
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A FORWARD ! -i +").ExitCode);
        Assert.Equal(0, diff.Sekisho.Run("iptables -A FORWARD ! -i +").ExitCode);
        Assert.Contains("-A FORWARD\n", diff.Kernel.RunIptables("iptables -S").Stdout);
        Assert.Contains("-A FORWARD ! -i +\n", diff.Sekisho.Run("iptables -S").Stdout);
    }

    [KernelFact]
    public void DescendingConntrackRanges_Refused_AsIn1811()
    {
        using var diff = new Differential();

        // 1.8.9 accepts a range whose upper end is below its lower end; 1.8.11's option parser refuses it.
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -m conntrack --ctexpire 4:3").ExitCode);
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -m conntrack --ctorigsrcport 4:3").ExitCode);
        Assert.Contains("-A INPUT -m conntrack --ctexpire 4:3\n", diff.Kernel.RunIptables("iptables -S").Stdout);

        var expire = diff.Sekisho.Run("iptables -A INPUT -m conntrack --ctexpire 4:3");
        Assert.Equal(2, expire.ExitCode);
        Assert.StartsWith(
            "iptables v1.8.9 (legacy): conntrack: bad value for option \"--ctexpire\" near \"3\", or out of range (4-4294967295).\n",
            expire.Stderr);
        var port = diff.Sekisho.Run("iptables -A INPUT -m conntrack --ctorigsrcport 4:3");
        Assert.Equal(2, port.ExitCode);
        Assert.StartsWith("iptables v1.8.9 (legacy): Port range 4-3 is negative.\n", port.Stderr);
    }

    [KernelFact]
    public void ConntrackProtocolZero_Refused_AsIn1811()
    {
        using var diff = new Differential();

        // 1.8.9's check for protocol 0 tests the wrong flag and never fires; 1.8.11 refuses it either way.
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -m conntrack --ctproto 0").ExitCode);
        Assert.Equal(0, diff.Kernel.RunIptables("iptables -A INPUT -m conntrack ! --ctproto 0").ExitCode);

        var plain = diff.Sekisho.Run("iptables -A INPUT -m conntrack --ctproto 0");
        Assert.Equal(2, plain.ExitCode);
        Assert.StartsWith("iptables v1.8.9 (legacy): conntrack: rule would never match protocol\n", plain.Stderr);
        var inverted = diff.Sekisho.Run("iptables -A INPUT -m conntrack ! --ctproto all");
        Assert.Equal(2, inverted.ExitCode);
        Assert.StartsWith("iptables v1.8.9 (legacy): conntrack: condition would always match protocol\n", inverted.Stderr);
    }

    [KernelFact]
    public void BusyLockWithoutWait_FailsAtOnce()
    {
        // iptables 1.8.9 waits for the lock even without -w; Sekisho fails at once with iptables' message (as
        // earlier iptables did, and as the project asks), and waits only when -w says so.
        string directory = Directory.CreateTempSubdirectory("sekisho-lock-").FullName;
        try
        {
            var store = new Iptables.State.StateDirectory(directory, Netfilter.Syntax.LibcNameService.Instance);
            using var held = store.Lock(0);
            var tools = new SekishoTools(new Iptables.State.StateDirectory(directory, Netfilter.Syntax.LibcNameService.Instance));
            var result = tools.Run("iptables -A INPUT -j ACCEPT");
            Assert.Equal(4, result.ExitCode);
            Assert.Equal("Another app is currently holding the xtables lock. Perhaps you want to use the -w option?\n", result.Stderr);
            var waited = tools.Run("iptables -w 1 -A INPUT -j ACCEPT");
            Assert.Equal(4, waited.ExitCode);
            Assert.EndsWith("Another app is currently holding the xtables lock. Stopped waiting after 1s.\n", waited.Stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
