using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Live;
using Sekisho.Live.Control;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.TestSupport;

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

    [Fact]
    public void Install_compiles_outside_the_gate_and_switches_under_it()
    {
        var net = new NetNamespace(new HostModel());
        var first = Restored("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n");
        var firewall = new LiveFirewall(net, first);
        int prepared = firewall.Prepared;
        var second = Restored("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, 2000).Select(i => $"-A INPUT -s 10.{i / 256}.{i % 256}.0/24 -j DROP\n")) + "COMMIT\n");

        // The data plane holds the gate (a batch running): the new ruleset is compiled meanwhile, and switched to
        // only when the batch ends.
        var install = new Thread(() => firewall.Install(second));
        lock (firewall.Gate)
        {
            install.Start();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (firewall.Prepared == prepared && DateTime.UtcNow < deadline)
            {
                Thread.Yield();
            }

            Assert.Equal(prepared + 1, firewall.Prepared);
            Assert.Same(first, firewall.Ruleset);
            Assert.True(install.IsAlive);
        }

        Assert.True(install.Join(TimeSpan.FromSeconds(30)));
        Assert.Same(second, firewall.Ruleset);
    }

    [Fact]
    public void A_recent_list_made_larger_is_emptied_when_the_new_ruleset_takes_over_not_while_it_is_compiled()
    {
        var host = new HostModel();
        var eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:01"));
        host.AddAddress(eth0, Ipv4Address.Parse("192.0.2.1"), 24);
        host.RespondsLocally = false;
        var net = new NetNamespace(host);
        net.Load(Restored("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
            "-A INPUT -m recent --set --name seen\nCOMMIT\n"));
        var frame = PacketBuilder.Ethernet(eth0.HardwareAddress, MacAddress.Parse("02:00:00:00:00:07"),
            PacketBuilder.Udp(new IpFields(Ipv4Address.Parse("192.0.2.7"), Ipv4Address.Parse("192.0.2.1")), 1000, 53));
        Assert.Equal(PacketFate.Delivered, net.Receive(eth0, frame).Fate);

        // The second rule needs 40 stamps per address: the list is made larger, which empties it (recent_mt_check).
        var prepared = net.Prepare(Restored("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n" +
            "-A INPUT -m recent --rcheck --name seen -j DROP\n-A INPUT -m recent --rcheck --hitcount 40 --name seen\nCOMMIT\n"));

        // Packets still running the old rules meanwhile keep the list as it is (the address is set again)...
        Assert.Equal(PacketFate.Delivered, net.Receive(eth0, frame).Fate);

        // ...and the switch empties it: the new DROP rule does not find the address (had the list been emptied
        // while compiling, the packet just before would have put it back).
        net.Load(prepared);
        Assert.Equal(PacketFate.Delivered, net.Receive(eth0, frame).Fate);
    }

    private static Ruleset Restored(string rules)
    {
        var store = new MemoryRulesetStore();
        var errors = new StringWriter();
        int status = new RestoreCommand(store, LibcNameService.Instance)
            .Run([], new MemoryStream(Encoding.UTF8.GetBytes(rules)), new ToolOutput(TextWriter.Null, errors));
        Assert.True(status == 0, errors.ToString());
        return store.Ruleset;
    }

    [Fact]
    public void One_rule_edit_through_the_store_changes_the_chain_classifier_and_keeps_the_others()
    {
        // 100 rules in INPUT and in FORWARD: both chains are classified. One -I through the daemon's store must
        // copy INPUT's classifier with the one change and take FORWARD's over, not build either again.
        string rules = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
            + string.Concat(Enumerable.Range(0, 100).Select(i => $"-A INPUT -s 10.0.{i}.0/24 -j DROP\n-A FORWARD -d 10.1.{i}.0/24 -j DROP\n"))
            + "COMMIT\n";
        var seed = new MemoryRulesetStore();
        Assert.Equal(0, new RestoreCommand(seed, LibcNameService.Instance)
            .Run([], new MemoryStream(Encoding.UTF8.GetBytes(rules)), new ToolOutput(TextWriter.Null, TextWriter.Null)));
        var host = new HostModel();
        var eth0 = host.AddDevice("eth0", DeviceType.Ethernet, MacAddress.Parse("02:00:00:00:00:01"));
        host.AddAddress(eth0, Ipv4Address.Parse("192.0.2.1"), 24);
        host.RespondsLocally = false;
        var net = new NetNamespace(host);
        var firewall = new LiveFirewall(net, seed.Ruleset);
        Assert.Equal(new ClassifierUpdates(0, 0, 2), net.Tables["filter"].ClassifierUpdates);
        string folder = Directory.CreateTempSubdirectory("sekisho-cls-").FullName;
        try
        {
            var store = new LiveRulesetStore(firewall, Path.Combine(folder, "xtables.lock"));
            var errors = new StringWriter();
            int status = new IptablesCommand(store, LibcNameService.Instance)
                .Run(["-I", "INPUT", "50", "-s", "10.0.7.7", "-j", "ACCEPT"], new ToolOutput(TextWriter.Null, errors));
            Assert.True(status == 0, errors.ToString());
            Assert.Equal(new ClassifierUpdates(1, 1, 0), net.Tables["filter"].ClassifierUpdates);

            // The inserted rule comes after the /24 that holds 10.0.7.7 (rule 8), so that one still drops it; the
            // new rule accepts what no earlier rule takes.
            Assert.Equal(NfVerdict.Drop, Send(net, eth0, "10.0.7.7"));
            Assert.Equal(0, new IptablesCommand(store, LibcNameService.Instance)
                .Run(["-I", "INPUT", "1", "-s", "10.0.7.7", "-j", "ACCEPT"], new ToolOutput(TextWriter.Null, TextWriter.Null)));
            Assert.Equal(NfVerdict.Accept, Send(net, eth0, "10.0.7.7"));
            Assert.Equal(NfVerdict.Drop, Send(net, eth0, "10.0.7.8"));
            Assert.Equal(new ClassifierUpdates(1, 1, 0), net.Tables["filter"].ClassifierUpdates);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static uint Send(NetNamespace net, NetDevice device, string source)
    {
        var packet = new Packet();
        packet.LoadDatagram(PacketBuilder.Udp(new IpFields(Ipv4Address.Parse(source), Ipv4Address.Parse("192.0.2.1")), 1, 2));
        return net.Evaluate(Hook.LocalIn, packet, device, null);
    }
}
