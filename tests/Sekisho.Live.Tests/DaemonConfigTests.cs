using Sekisho.Live.Control;

namespace Sekisho.Live.Tests;

/// <summary>The service configuration file: key = value lines, turned into the daemon's options.</summary>
public sealed class DaemonConfigTests
{
    [Fact]
    public void Parse_AllKeys_DaemonArguments()
    {
        var config = DaemonConfig.Parse("# server 1\ninterfaces = eth0, eth1\n\nrules = /etc/sysconfig/iptables\nfail = closed\n", "test.conf");
        Assert.Equal(["eth0", "eth1"], config.Interfaces);
        Assert.Equal(
            ["--interface", "eth0", "--interface", "eth1", "--rules", "/etc/sysconfig/iptables", "--fail", "closed"],
            config.DaemonArguments());
        var again = DaemonConfig.Parse(config.Format(), "formatted");
        Assert.Equal(config.DaemonArguments(), again.DaemonArguments());
    }

    [Fact]
    public void Parse_Empty_Defaults()
    {
        var config = DaemonConfig.Parse("", "empty");
        Assert.Empty(config.Interfaces);
        Assert.Equal("/etc/sysconfig/iptables", config.RulesFile);
        Assert.Equal("open", config.FailMode);
    }

    public static TheoryData<string, string> BadLines => new()
    {
        { "interfaces eth0", "x.conf:1: expected `key = value', found `interfaces eth0'" },
        { "interfaces = eth0\ninterfaces = eth1", "x.conf:2: `interfaces' is set twice" },
        { "rules = relative/file", "x.conf:1: `rules' needs an absolute file name" },
        { "fail = maybe", "x.conf:1: `fail' is `open' or `closed', not `maybe'" },
        { "mode = open", "x.conf:1: unknown key `mode' (known: interfaces, rules, fail)" },
        { "interfaces = averyveryverylongname0", "x.conf:1: `averyveryverylongname0' is not an interface name" },
        { "interfaces = eth0 eth0", "x.conf:1: an interface is named twice" },
    };

    [Theory]
    [MemberData(nameof(BadLines))]
    public void Parse_BadLine_NamesFileAndLine(string text, string message)
    {
        Assert.Equal(message, Assert.Throws<FormatException>(() => DaemonConfig.Parse(text, "x.conf")).Message);
    }
}
