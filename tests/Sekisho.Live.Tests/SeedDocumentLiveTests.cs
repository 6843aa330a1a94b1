using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;
using Xunit.Abstractions;

namespace Sekisho.Live.Tests;

/// <summary>
/// Seed document 000 with real ping and nc between two namespaces, server 1 protected once by the kernel's
/// iptables-legacy and once by Sekisho's daemon: the replies, the LOG lines and the counters must be the same.
/// </summary>
public sealed class SeedDocumentLiveTests(ITestOutputHelper output)
{
    [KernelFact]
    public void Seed000_daemon_gives_the_kernels_replies_log_and_counters()
    {
        KernelEnvironment.EnsureAvailable();
        Assert.True(KernelEnvironment.FindOnPath("nc") is not null && KernelEnvironment.FindOnPath("ping") is not null,
            "ping and nc are needed (apt-get install iputils-ping netcat-openbsd)");
        var (kernel, sekisho) = LiveScenario.OnServer1(LiveScenario.Play);

        output.WriteLine(string.Join('\n', sekisho));

        // What the document shows, on both.
        foreach (var steps in new[] { kernel, sekisho })
        {
            Assert.Equal("3 packets transmitted, 3 received, 0% packet loss", steps[0].Observed);
            Assert.Equal(3, steps[0].Log.Count(l => l.StartsWith("[INPUT]IN=eth0 OUT= MAC=0a:11:d1:09:77:ce:0a:a2:e8:49:27:a3:08:00 SRC=10.1.77.146 DST=10.1.51.165 LEN=84 ", StringComparison.Ordinal)));
            Assert.Equal("2 packets transmitted, 0 received, 100% packet loss", steps[1].Observed);
            Assert.Equal(2, steps[1].Log.Count);
            Assert.Equal("2 packets transmitted, 0 received, 100% packet loss", steps[2].Observed);
            Assert.Empty(steps[2].Log);
            Assert.Equal("exit 1: nc: connect to 10.1.51.165 port 22 (tcp) failed: Connection refused", steps[3].Observed);
            Assert.Contains(steps[3].Log, l => l.StartsWith("[OUTPUT] IN= OUT=eth0 SRC=10.1.51.165 DST=10.1.77.146 LEN=88 TOS=0x00 PREC=0xC0 TTL=64 ID=* PROTO=ICMP TYPE=3 CODE=3 [SRC=10.1.77.146 DST=10.1.51.165 LEN=60 ", StringComparison.Ordinal));
        }

        for (int i = 0; i < kernel.Count; i++)
        {
            Assert.Equal(kernel[i].Comparable(), sekisho[i].Comparable());
        }
    }

    [KernelFact]
    public void Multicast_to_and_from_the_host_as_on_the_kernel()
    {
        var (kernel, sekisho) = LiveScenario.OnServer1(LiveScenario.PlayMulticast);

        output.WriteLine(string.Join('\n', sekisho));
        foreach (var steps in new[] { kernel, sekisho })
        {
            Assert.Equal("received \"to the joined group\" from 10.1.77.146", steps[0].Observed);
            Assert.Equal("[MC-IN] IN=eth0 OUT= MAC=01:00:5e:00:00:fb:0a:a2:e8:49:27:a3:08:00 SRC=10.1.77.146 DST=224.0.0.251 LEN=47 TOS=0x00 PREC=0x00 TTL=1 ID=* DF PROTO=UDP SPT=* DPT=5353 LEN=27", Assert.Single(steps[0].Log));
            Assert.Equal("nothing received", steps[1].Observed);
            Assert.Empty(steps[1].Log);
            Assert.Equal("received \"from server 1\" from 10.1.51.165", steps[2].Observed);
            Assert.StartsWith("[MC-OUT] IN= OUT=eth0 SRC=10.1.51.165 DST=224.0.0.252 ", Assert.Single(steps[2].Log), StringComparison.Ordinal);
        }

        for (int i = 0; i < kernel.Count; i++)
        {
            Assert.Equal(kernel[i].Comparable(), sekisho[i].Comparable());
        }
    }

    [KernelFact]
    public void Seed001_ruleset_on_a_host_behaves_as_on_the_kernel()
    {
        var (kernel, sekisho) = LiveScenario.OnServer1(LiveScenario.PlaySeed001);

        output.WriteLine(string.Join('\n', sekisho));
        foreach (var steps in new[] { kernel, sekisho })
        {
            Assert.Equal(
                "2 packets transmitted, 2 received, 0% packet loss\n" +
                "client exit 0; server received hello; Listening on 0.0.0.0 22\nConnection received on 10.1.77.146 *\n" +
                "exit 1: nc: connect to 10.1.51.165 port 80 (tcp) failed: No route to host",
                steps[0].Observed);
        }

        Assert.Equal(kernel[0].Comparable(), sekisho[0].Comparable());
    }

    [KernelFact]
    public void Seed000_session_with_live_edits_shows_the_kernels_counters()
    {
        var (kernel, sekisho) = LiveScenario.OnServer1(LiveScenario.PlaySession);

        output.WriteLine(string.Join('\n', sekisho));
        foreach (var steps in new[] { kernel, sekisho })
        {
            Assert.Equal(3, steps[0].Log.Count);
            Assert.Contains("    5   420 LOG        1    --  *      *       10.1.77.146          0.0.0.0/0            LOG flags 0 level 4 prefix \"[INPUT]\"\n", steps[1].Observed, StringComparison.Ordinal);
            Assert.Contains("    2   168 DROP       1    --  *      *       10.1.77.146          0.0.0.0/0", steps[1].Observed, StringComparison.Ordinal);
            Assert.StartsWith("exit 1: nc: connect to 10.1.51.165 port 22 (tcp) failed: Connection refused\n", steps[2].Observed, StringComparison.Ordinal);
        }

        for (int i = 0; i < kernel.Count; i++)
        {
            Assert.Equal(kernel[i].Comparable(), sekisho[i].Comparable());
        }
    }
}
