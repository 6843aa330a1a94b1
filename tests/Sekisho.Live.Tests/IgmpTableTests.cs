using Sekisho.Live.Daemon;
using Sekisho.Packets;

namespace Sekisho.Live.Tests;

/// <summary>Reading <c>/proc/net/igmp</c>.</summary>
public sealed class IgmpTableTests
{
    // As Linux 6.1 prints it: a device line, then a line per group, indented by tabs.
    private const string Sample =
        "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n" +
        "1\tlo        :     1      V3\n" +
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n" +
        "7\teth0      :     3      V3\n" +
        "\t\t\t\tFB0000E0     1 0:00000000\t\t0\n" +
        "\t\t\t\t030201EF     2 0:00000000\t\t1\n" +
        "\t\t\t\t010000E0     1 0:00000000\t\t0\n" +
        "9\tveth-long1:     0      V2\n";

    [Fact]
    public void Parse_GivesEachDevicesGroups()
    {
        var groups = IgmpTable.Parse(Sample);

        Assert.Equal([Ipv4Address.Parse("224.0.0.1")], groups["lo"]);
        Assert.Equal([Ipv4Address.Parse("224.0.0.251"), Ipv4Address.Parse("239.1.2.3"), Ipv4Address.Parse("224.0.0.1")], groups["eth0"]);
        Assert.Empty(groups["veth-long1"]);
    }

    [Fact]
    public void Parse_ThisMachinesFile_HasAllHostsOnLoopback()
    {
        var groups = IgmpTable.Parse(File.ReadAllText(IgmpTable.Path));

        Assert.Contains(Ipv4Address.Parse("224.0.0.1"), groups["lo"]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage\n\t\tZZZZZZZZ 1\n")]
    [InlineData("\t\t\t\t010000E0     1 0:00000000\t\t0\n")]
    public void Parse_NothingUsable_GivesNoGroups(string text) =>
        Assert.All(IgmpTable.Parse(text).Values, Assert.Empty);
}
