using System.Globalization;
using System.Text.RegularExpressions;
using Sekisho.Cli.Replay;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Kernel.Tests.Replay;

/// <summary>
/// The issue's differential test for replay: seed document 000's scenario on real kernels (server 2 pings server 1
/// and tries ssh; server 1 pings back), captured with tcpdump on server 1's interface, then replayed by
/// <c>sekisho replay</c> with the same ruleset: the counters and the LOG lines must be the kernel's.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed partial class SeedCaptureReplayTests
{
    private const string Rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix "[INPUT]"
        -A INPUT -s 10.1.77.146/32 -p icmp -j DROP
        -A INPUT -s 10.1.77.146/32 -p tcp -m tcp --dport 22 -j REJECT --reject-with icmp-port-unreachable
        -A OUTPUT -p icmp -j LOG --log-prefix "[OUTPUT] "
        COMMIT
        """;

    [KernelTheory]
    [InlineData("eth0")]
    [InlineData("any")]
    public void SeedDocument000_KernelCapture_ReplayGivesKernelCountersAndLog(string captureInterface)
    {
        using var turn = new KernelLabLock();
        File.WriteAllText("/proc/sys/net/netfilter/nf_log_all_netns", "1");
        using var messages = new KernelMessages();
        using var network = new SeedNetwork();
        string directory = Directory.CreateTempSubdirectory("sekisho-seed-replay-").FullName;
        try
        {
            var restored = network.Server1.RunIptables("iptables-restore", Rules + "\n");
            Assert.True(restored.ExitCode == 0, restored.Stderr);
            string capture = Path.Combine(directory, "server1.pcap");
            var tcpdump = network.StartCapture(network.Server1, capture, captureInterface);
            _ = messages.ReadNew();

            // server 2: ping (logged, dropped), ssh (rejected: the ICMP error is logged on its way out), a closed port
            // (server 1's stack answers with a reset); server 1: ping server 2 (logged out; the replies are dropped).
            network.Server2.Run(["ping", "-c", "3", "-i", "0.2", "-W", "1", "10.1.51.165"]);
            network.Server2.Run(["timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/10.1.51.165/22"]);
            network.Server2.Run(["timeout", "3", "bash", "-c", "exec 3<>/dev/tcp/10.1.51.165/80"]);
            network.Server1.Run(["ping", "-c", "2", "-i", "0.2", "-W", "1", "10.1.77.146"]);
            SeedNetwork.StopCapture(tcpdump);

            string kernelCounters = WithoutComments(network.Server1.RunIptables("iptables-save -c").Stdout);
            var kernelLog = messages.ReadNew().Where(r => r.Message.Contains("IN=", StringComparison.Ordinal)
                && r.Message.Contains(" OUT=", StringComparison.Ordinal)).Select(r => Mask(r.Message)).ToList();
            Assert.True(kernelLog.Count(l => l.StartsWith("[INPUT]", StringComparison.Ordinal)) >= 3
                && kernelLog.Any(l => l.Contains("TYPE=3 CODE=3", StringComparison.Ordinal)), kernelCounters + string.Join("\n", kernelLog));

            // Sekisho: the same ruleset and host in a state directory, then the capture.
            string state = Path.Combine(directory, "state");
            var tools = new SekishoTools(state, LibcNameService.Instance);
            Assert.Equal(0, tools.Run("iptables-restore", Rules + "\n").ExitCode);
            var stateDirectory = new StateDirectory(state, LibcNameService.Instance);
            var host = new HostDescription { HostName = "server1" };
            host.Apply(["iface", "eth0", "mac", "0a:11:d1:09:77:ce"]);
            host.Apply(["addr", "10.1.51.165/24", "dev", "eth0"]);
            host.Apply(["route", "default", "via", "10.1.51.1", "dev", "eth0"]);
            stateDirectory.SaveHost(host);
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            int code = new ReplayCommand(stateDirectory).Run([capture, "--out", Path.Combine(directory, "out.pcap")], stdout, stderr);
            Assert.True(code == 0 && stderr.ToString().Length == 0, $"replay failed ({code}):\n{stderr}\n{stdout}");

            string sekishoCounters = WithoutComments(tools.Run("iptables-save -c").Stdout);
            Assert.Equal(kernelCounters, sekishoCounters);

            var lines = File.ReadAllLines(stateDirectory.MessagesPath);
            var sekishoLog = lines.Select(l => Mask(l[(l.IndexOf(" kernel: ", StringComparison.Ordinal) + 9)..])).ToList();
            Assert.Equal(kernelLog, sekishoLog);
            Assert.All(lines, l => Assert.StartsWith("server1 kernel: ", l[16..], StringComparison.Ordinal));
            Assert.Contains("errors                         0", stdout.ToString());

            // Each REJECT reply was generated by Sekisho's REJECT and recognised in the capture, so sent once.
            int rejected = kernelLog.Count(l => l.Contains("TYPE=3 CODE=3", StringComparison.Ordinal));
            Assert.Contains($"replies generated      {rejected,9}  ({rejected} of them also in the capture, not sent twice)", stdout.ToString());
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // The IP identification of a datagram server 1 sends without DF (the REJECT reply) is drawn at random by the
    // kernel: masked in both logs.
    private static string Mask(string line) =>
        line.Contains("SRC=10.1.51.165 ", StringComparison.Ordinal) && !line[..line.IndexOf("PROTO=", StringComparison.Ordinal)].Contains(" DF ", StringComparison.Ordinal)
            ? FirstId().Replace(line, "ID=?", 1)
            : line;

    private static string WithoutComments(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));

    [GeneratedRegex(@"ID=\d+")]
    private static partial Regex FirstId();
}
