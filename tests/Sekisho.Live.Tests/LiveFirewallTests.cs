using Sekisho.Live;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;

namespace Sekisho.Live.Tests;

public sealed class LiveFirewallTests
{
    [Fact]
    public void Install_switches_the_engine_to_the_new_ruleset()
    {
        var net = new NetNamespace(new HostModel());
        var first = new Ruleset();
        first.GetOrCreate("filter");
        var firewall = new LiveFirewall(net, first);
        Assert.Same(first, firewall.Ruleset);

        var second = new Ruleset();
        second.GetOrCreate("nat");
        firewall.Install(second);
        Assert.Same(second, firewall.Ruleset);
        Assert.True(net.Tables.ContainsKey("nat"));
        Assert.False(net.Tables.ContainsKey("filter"));
    }
}
