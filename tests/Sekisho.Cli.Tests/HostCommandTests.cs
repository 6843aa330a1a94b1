using Sekisho.Cli.Host;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho host</c>: the stored host model, its file form, and the engine host it builds.</summary>
public sealed class HostCommandTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("sekisho-host-").FullName;

    [Fact]
    public void Host_EditsThenShow_FileFormAndModel()
    {
        Run("add-iface eth0 10.1.51.165/24 mac=0a:11:d1:09:77:ce");
        Run("add-iface eth1 192.168.0.1/24 mtu=9000");
        Run("addr add 10.1.51.200/24 dev eth0");
        Run("route add default via 10.1.51.1");
        Run("route add 172.16.0.0/12 via 192.168.0.254 dev eth1");
        Run("neigh add 10.1.51.1 lladdr 0a:a2:e8:49:27:a3 dev eth0");
        Run("forwarding on");
        Run("hostname server1");
        Run("listen tcp 22");

        var (code, shown, _) = Run("show");

        Assert.Equal(0, code);
        Assert.Equal("""
            hostname server1
            forwarding on
            iface eth0 mac 0a:11:d1:09:77:ce mtu 1500
            addr 10.1.51.165/24 dev eth0
            addr 10.1.51.200/24 dev eth0
            iface eth1 mac 02:00:00:00:00:02 mtu 9000
            addr 192.168.0.1/24 dev eth1
            route default via 10.1.51.1 dev eth0
            route 172.16.0.0/12 via 192.168.0.254 dev eth1
            neigh 10.1.51.1 lladdr 0a:a2:e8:49:27:a3 dev eth0
            listen tcp 22

            """.Replace("\r", ""), shown);
        Assert.StartsWith(HostDescription.Header + "\n", File.ReadAllText(Path.Combine(_state, "host")));

        var host = new StateDirectory(_state, LibcNameService.Instance).LoadHost()!.Build();
        Assert.True(host.Forwarding);
        Assert.Equal("eth1", host.RouteOutput(Ipv4Address.Parse("172.20.1.1")).Device!.Name);
        Assert.Equal(Ipv4Address.Parse("10.1.51.1"), host.RouteOutput(Ipv4Address.Parse("8.8.8.8")).NextHop);
        Assert.True(host.IsLocalAddress(Ipv4Address.Parse("10.1.51.200")));
        Assert.Equal(9000, host.FindDevice("eth1")!.Mtu);
        Assert.Contains((ushort)22, host.TcpListeners);

        Run("del-iface eth1");
        Run("route del default");
        Run("forwarding off");
        Assert.Equal("""
            hostname server1
            forwarding off
            iface eth0 mac 0a:11:d1:09:77:ce mtu 1500
            addr 10.1.51.165/24 dev eth0
            addr 10.1.51.200/24 dev eth0
            neigh 10.1.51.1 lladdr 0a:a2:e8:49:27:a3 dev eth0
            listen tcp 22

            """.Replace("\r", ""), Run("show").Stdout);
    }

    [Theory]
    [InlineData("add-iface eth0", "sekisho host: usage: add-iface NAME ADDRESS/PREFIXLEN [mac=MAC] [mtu=MTU]\n")]
    [InlineData("add-iface eth0 10.1.1.1", "sekisho host: bad address `10.1.1.1': expected ADDRESS/PREFIXLEN\n")]
    [InlineData("add-iface eth0 10.1.1.1/24 mac=zz", "sekisho host: bad MAC address `zz'\n")]
    [InlineData("route add default via 10.9.9.9", "sekisho host: gateway 10.9.9.9 is on no interface's subnet\n")]
    [InlineData("route add 10.0.0.1/8 dev eth9", "sekisho host: invalid prefix for the mask `10.0.0.1/8'\n")]
    [InlineData("forwarding maybe", "sekisho host: expected on or off, not `maybe'\n")]
    [InlineData("frobnicate", "sekisho host: bad command `frobnicate' (see sekisho host --help)\n")]
    public void Host_BadCommands_RefusedWithoutChange(string command, string expected)
    {
        var (code, _, stderr) = Run(command);
        Assert.Equal(2, code);
        Assert.Equal(expected, stderr);
        Assert.False(File.Exists(Path.Combine(_state, "host")));
    }

    [Fact]
    public void Host_LoadDamagedFile_NamesTheLine()
    {
        string file = Path.Combine(_state, "h");
        File.WriteAllText(file, "iface eth0\naddr 10.0.0.1/24 dev eth1\n");
        var (code, _, stderr) = Run($"load {file}");
        Assert.Equal(2, code);
        Assert.Equal($"sekisho host: {file}:2: no interface eth1\n", stderr);
    }

    [Fact]
    public void Host_NoModel_ShowSaysSo()
    {
        Assert.StartsWith("# no host model", Run("show").Stdout);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private (int Code, string Stdout, string Stderr) Run(string command)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = new HostCommand(new StateDirectory(_state, LibcNameService.Instance)).Run(command.Split(' ', StringSplitOptions.RemoveEmptyEntries), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
