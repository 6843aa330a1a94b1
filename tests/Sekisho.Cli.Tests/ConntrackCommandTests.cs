using Sekisho.Cli.Conntrack;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho conntrack</c>: the state directory's table listed, counted and flushed as conntrack-tools does.</summary>
public sealed class ConntrackCommandTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("sekisho-conntrack-").FullName;

    [Fact]
    public void List_SavedTable_PrintsEntriesAndSummary()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var lab = new SekishoLab(LabHost.Router(), """
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            -A FORWARD -m state --state NEW
            COMMIT
            """, clock);
        var ip = new IpFields(Ipv4Address.Parse("10.0.1.2"), Ipv4Address.Parse("10.0.2.2"));
        lab.Inject("eth0", lab.Host.FrameTo("eth0", PacketBuilder.Udp(ip, 40000, 53, "q"u8)));
        var state = new StateDirectory(_state, LibcNameService.Instance);
        state.SaveConntrack(lab.Net.Conntrack);

        clock.Advance(TimeSpan.FromSeconds(3));
        var (code, stdout, stderr) = Run("-L", clock);
        Assert.Equal(0, code);
        Assert.StartsWith("udp      17 27 ", stdout);
        Assert.Equal(
            "src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=53 [UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=53 dport=40000 mark=0 use=1\n",
            stdout[stdout.IndexOf("src=", StringComparison.Ordinal)..]);
        Assert.Equal("conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n", stderr);
        Assert.Equal((0, "1\n", ""), Run("-C"));
        Assert.Equal((0, "", "conntrack v1.4.7 (conntrack-tools): connection tracking table has been emptied.\n"), Run("-F"));
        Assert.Equal((0, "0\n", ""), Run("-C"));
    }

    [Fact]
    public void List_NoTableYet_ShowsNothing()
    {
        Assert.Equal((0, "", "conntrack v1.4.7 (conntrack-tools): 0 flow entries have been shown.\n"), Run("-L"));
    }

    [Fact]
    public void List_DamagedFile_ReportsAndKeepsIt()
    {
        File.WriteAllBytes(Path.Combine(_state, "conntrack"), [1, 2, 3]);
        var (code, _, stderr) = Run("-L");
        Assert.Equal(1, code);
        Assert.Contains("damaged", stderr, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(_state, "conntrack")));
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private (int Code, string Stdout, string Stderr) Run(string command, TimeProvider? clock = null)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = new ConntrackCommand(new StateDirectory(_state, LibcNameService.Instance), clock).Run([command], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
