using System.Text.RegularExpressions;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>Seed document 000 played with real tools against server 1's firewall: what each step showed.</summary>
public static partial class LiveScenario
{
    /// <summary>The document's first rule: log server 2's ICMP.</summary>
    public const string LogRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix "[INPUT]"
        COMMIT

        """;

    /// <summary>LOG, then DROP.</summary>
    public const string LogDropRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix "[INPUT]"
        -A INPUT -s 10.1.77.146/32 -p icmp -j DROP
        COMMIT

        """;

    /// <summary>DROP, then LOG: nothing is logged.</summary>
    public const string DropLogRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A INPUT -s 10.1.77.146/32 -p icmp -j DROP
        -A INPUT -s 10.1.77.146/32 -p icmp -j LOG --log-prefix "[INPUT]"
        COMMIT

        """;

    /// <summary>Seed document 001 on server 1: ping answered, ssh (a listener on port 22) reachable, port 80 refused as prohibited.</summary>
    public static List<Step> PlaySeed001(SeedNetwork network, IFirewallUnderTest firewall)
    {
        firewall.Load(SeedRulesets.Seed001CentOsDefault);
        string ping = Ping(network, 2);
        string ssh;
        using (var listener = new Listener(network.Server1Namespace, 22))
        {
            var client = network.OnServer2("sh", "-c", $"echo hello | nc -n -N -w 3 {SeedNetwork.Server1} 22");
            var (received, messages) = listener.Finish();
            ssh = $"client exit {client.ExitCode}; server received {received.Trim()}; {PeerPort().Replace(messages.Trim(), "$1 *")}";
        }

        var http = network.OnServer2("nc", "-n", "-v", "-w", "2", SeedNetwork.Server1, "80");
        return [Finish("seed 001 ruleset", firewall, $"{ping}\n{ssh}\nexit {http.ExitCode}: {http.Stderr.Trim()}")];
    }

    /// <summary>The gateway's rules: the client's network masqueraded, port 8080 of the outside address forwarded to the client's port 80.</summary>
    public const string GatewayRules = """
        *nat
        :PREROUTING ACCEPT [0:0]
        :INPUT ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        :POSTROUTING ACCEPT [0:0]
        -A PREROUTING -i wan -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.2.2:80
        -A POSTROUTING -o wan -j MASQUERADE
        COMMIT
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD DROP [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m state --state RELATED,ESTABLISHED -j ACCEPT
        -A FORWARD -i lan -o wan -j ACCEPT
        -A FORWARD -d 10.0.2.2/32 -i wan -o lan -p tcp -m tcp --dport 80 -j ACCEPT
        COMMIT

        """;

    /// <summary>
    /// Real TCP connections through the gateway: the client reaches the external host (which sees the router's
    /// address), the external host reaches the client's port 80 through the router's port 8080.
    /// </summary>
    public static List<Step> PlayGateway(RouterNetwork network, IFirewallUnderTest firewall)
    {
        firewall.Load(GatewayRules);
        string outbound;
        using (var listener = new Listener(network.ExternalNamespace, 9000))
        {
            var client = SeedNetwork.Run(network.ClientNamespace, ["sh", "-c", $"echo outbound | nc -n -N -w 3 {RouterNetwork.External} 9000"]);
            var (received, messages) = listener.Finish();
            outbound = $"client exit {client.ExitCode}; external host received {received.Trim()}; {PeerPort().Replace(messages.Trim(), "$1 *")}";
        }

        string inbound;
        using (var listener = new Listener(network.ClientNamespace, 80))
        {
            var external = SeedNetwork.Run(network.ExternalNamespace, ["sh", "-c", $"echo inbound | nc -n -N -w 3 {RouterNetwork.RouterOutside} 8080"]);
            var (received, messages) = listener.Finish();
            inbound = $"external exit {external.ExitCode}; client received {received.Trim()}; {PeerPort().Replace(messages.Trim(), "$1 *")}";
        }

        return [Finish("NAT gateway and port forward", firewall, $"{outbound}\n{inbound}")];
    }

    /// <summary>An empty filter table.</summary>
    public const string EmptyRules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        COMMIT

        """;

    /// <summary>
    /// The document's session as typed: the firewall starts empty and each rule is added with <c>iptables -A</c> while
    /// traffic flows; <c>iptables -L -v -n</c> shows the live counters after the DROP and after the REJECT.
    /// </summary>
    public static List<Step> PlaySession(SeedNetwork network, IFirewallUnderTest firewall)
    {
        var steps = new List<Step>();
        firewall.Load(EmptyRules);
        Iptables(firewall, "iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix [INPUT]");
        steps.Add(Finish("iptables -A ... LOG; ping", firewall, Ping(network, 3)));
        Iptables(firewall, "iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP");
        string ping = Ping(network, 2);
        steps.Add(Finish("iptables -A ... DROP; ping", firewall, ping + "\n" + Iptables(firewall, "iptables -L -v -n")));
        Iptables(firewall, "iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT");
        firewall.Tool(["iptables", "-A", "OUTPUT", "-p", "icmp", "-j", "LOG", "--log-prefix", "[OUTPUT] "]);
        var nc = network.OnServer2("nc", "-v", "-w", "3", SeedNetwork.Server1, "22");
        steps.Add(Finish("iptables -A ... REJECT; ssh", firewall, $"exit {nc.ExitCode}: {nc.Stderr.Trim()}\n" + Iptables(firewall, "iptables -L -v -n")));
        return steps;
    }

    private static string Iptables(IFirewallUnderTest firewall, string commandLine)
    {
        var result = firewall.Tool(commandLine.Split(' '));
        Assert.True(result.ExitCode == 0, $"{firewall.Name}: {commandLine}\n{result}");
        return result.Stdout;
    }

    /// <summary>Plays the document's steps; each step's name, what the tools printed, the LOG lines and the counters.</summary>
    public static List<Step> Play(SeedNetwork network, IFirewallUnderTest firewall)
    {
        var steps = new List<Step>();
        firewall.Load(LogRules);
        steps.Add(Finish("ping logged and answered", firewall, Ping(network, 3)));
        firewall.Load(LogDropRules);
        steps.Add(Finish("ping logged, then dropped", firewall, Ping(network, 2)));
        firewall.Load(DropLogRules);
        steps.Add(Finish("ping dropped before LOG", firewall, Ping(network, 2)));
        firewall.Load(SeedRulesets.Seed000Saved);
        var nc = network.OnServer2("nc", "-v", "-w", "3", SeedNetwork.Server1, "22");
        steps.Add(Finish("ssh port rejected", firewall, $"exit {nc.ExitCode}: {nc.Stderr.Trim()}"));
        return steps;
    }

    /// <summary>
    /// Plays a scenario on server 1 of a fresh <see cref="SeedNetwork"/> twice: protected by the kernel's
    /// iptables-legacy, then by Sekisho's daemon in front of its eth0; returns both runs' steps.
    /// </summary>
    public static (List<Step> Kernel, List<Step> Sekisho) OnServer1(Func<SeedNetwork, IFirewallUnderTest, List<Step>> play) =>
        OnBoth(() => new SeedNetwork(), n => n.Server1Namespace, ["eth0"], play);

    /// <summary>
    /// Plays a scenario twice on a fresh network: the namespace <paramref name="protectedNamespace"/> names protected by
    /// the kernel's iptables-legacy, then by Sekisho's daemon in front of <paramref name="interfaces"/>.
    /// </summary>
    public static (List<Step> Kernel, List<Step> Sekisho) OnBoth<TNetwork>(Func<TNetwork> create, Func<TNetwork, string> protectedNamespace,
        string[] interfaces, Func<TNetwork, IFirewallUnderTest, List<Step>> play)
        where TNetwork : IDisposable
    {
        KernelEnvironment.EnsureAvailable();
        List<Step> kernel;
        using (new TestSupport.Lab.KernelLabLock())
        using (var network = create())
        using (var firewall = new KernelFirewall(protectedNamespace(network)))
        {
            kernel = play(network, firewall);
        }

        using (var network = create())
        using (var firewall = new DaemonFirewall(protectedNamespace(network), interfaces))
        {
            return (kernel, play(network, firewall));
        }
    }

    /// <summary><c>iptables-save</c> output without its comment lines (which carry the time).</summary>
    public static string WithoutComments(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));

    /// <summary>A LOG line with the fields that differ from run to run masked: IP and ICMP IDs, TCP source ports.</summary>
    public static string Mask(string line) => VaryingField().Replace(line.TrimEnd(), "$1=*");

    private static string Ping(SeedNetwork network, int count)
    {
        var ping = network.OnServer2("ping", "-c", count.ToString(System.Globalization.CultureInfo.InvariantCulture), "-i", "0.3", "-W", "1", SeedNetwork.Server1);
        var summary = ping.Stdout.Split('\n').FirstOrDefault(l => l.Contains("packets transmitted", StringComparison.Ordinal)) ?? ping.Stdout;
        return summary[..(summary.IndexOf(", time", StringComparison.Ordinal) is int t and >= 0 ? t : summary.Length)];
    }

    private static Step Finish(string name, IFirewallUnderTest firewall, string observed)
    {
        var (log, counters) = firewall.EndStep();
        return new Step(name, observed, log.Select(Mask).ToList(), counters);
    }

    [GeneratedRegex(@"(Connection received on [0-9.]+) \d+")]
    private static partial Regex PeerPort();

    [GeneratedRegex(@"\b(ID|SPT)=\d+")]
    private static partial Regex VaryingField();

    [GeneratedRegex(@"^\[(\d+):\d+\] (-A \S+ -m state --state RELATED,ESTABLISHED)", RegexOptions.Multiline)]
    private static partial Regex EstablishedCounter();

    /// <summary>One step's observations.</summary>
    public sealed record Step(string Name, string Observed, List<string> Log, string Counters)
    {
        /// <inheritdoc />
        public override string ToString() =>
            $"--- {Name} ---\n{Observed}\n{string.Join('\n', Log)}\n{Counters}";

        /// <summary>
        /// The observations to compare between the kernel and the daemon: the packets a real TCP session sends
        /// after its handshake depend on timing (a delayed ACK rides on the FIN or goes alone) on either side, so
        /// the counters of a RELATED,ESTABLISHED rule show only whether it counted; every other counter is exact.
        /// </summary>
        public string Comparable() =>
            $"--- {Name} ---\n{Observed}\n{string.Join('\n', Log)}\n" +
            EstablishedCounter().Replace(Counters, m => $"[{(m.Groups[1].Value == "0" ? "0" : "some")}:*] {m.Groups[2].Value}");
    }
}
