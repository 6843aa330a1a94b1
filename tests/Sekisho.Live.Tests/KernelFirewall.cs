using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Live.Tests;

/// <summary>The kernel's iptables-legacy as server 1's firewall; LOG lines read from <c>/dev/kmsg</c>.</summary>
public sealed class KernelFirewall : IServer1Firewall
{
    private readonly SeedNetwork _network;
    private readonly KernelMessages _messages;

    /// <summary>Uses server 1 of <paramref name="network"/>; the caller holds the <see cref="KernelLabLock"/>.</summary>
    public KernelFirewall(SeedNetwork network)
    {
        _network = network;
        File.WriteAllText("/proc/sys/net/netfilter/nf_log_all_netns", "1");
        _messages = new KernelMessages();
    }

    /// <inheritdoc />
    public string Name => "kernel";

    /// <inheritdoc />
    public void Load(string rules)
    {
        var result = KernelEnvironment.Exec("ip", ["netns", "exec", _network.Server1Namespace, "iptables-legacy-restore"], rules);
        Assert.True(result.ExitCode == 0, result.ToString());
        _messages.ReadNew();
    }

    /// <inheritdoc />
    public (List<string> Log, string Counters) EndStep()
    {
        var log = _messages.ReadNew().Select(r => r.Message).Where(m => m.Contains(" OUT=", StringComparison.Ordinal)).ToList();
        var save = _network.OnServer1("iptables-legacy-save", "-c");
        Assert.True(save.ExitCode == 0, save.ToString());
        return (log, LiveScenario.WithoutComments(save.Stdout));
    }

    /// <inheritdoc />
    public void Dispose() => _messages.Dispose();
}
