using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Live.Tests;

/// <summary>The kernel's iptables-legacy as a namespace's firewall; LOG lines read from <c>/dev/kmsg</c>.</summary>
public sealed class KernelFirewall : IFirewallUnderTest
{
    private readonly string _namespace;
    private readonly KernelMessages _messages;

    /// <summary>Filters in namespace <paramref name="ns"/>; the caller holds the <see cref="KernelLabLock"/>.</summary>
    public KernelFirewall(string ns)
    {
        _namespace = ns;
        File.WriteAllText("/proc/sys/net/netfilter/nf_log_all_netns", "1");
        _messages = new KernelMessages();
    }

    /// <inheritdoc />
    public string Name => "kernel";

    /// <inheritdoc />
    public ToolResult Tool(IReadOnlyList<string> words, string? stdin = null) =>
        SeedNetwork.Run(_namespace, [words[0].Replace("iptables", "iptables-legacy", StringComparison.Ordinal), .. words.Skip(1)], stdin);

    /// <inheritdoc />
    public void Load(string rules)
    {
        var result = Tool(["iptables-restore"], rules);
        Assert.True(result.ExitCode == 0, result.ToString());
        _messages.ReadNew();
    }

    /// <inheritdoc />
    public (List<string> Log, string Counters) EndStep()
    {
        var log = _messages.ReadNew().Select(r => r.Message).Where(m => m.Contains(" OUT=", StringComparison.Ordinal)).ToList();
        var save = Tool(["iptables-save", "-c"]);
        Assert.True(save.ExitCode == 0, save.ToString());
        return (log, LiveScenario.WithoutComments(save.Stdout));
    }

    /// <inheritdoc />
    public void Dispose() => _messages.Dispose();
}
