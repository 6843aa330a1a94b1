namespace Sekisho.Live.Tests;

/// <summary>The firewall of a namespace in the live tests: the kernel's iptables-legacy, or Sekisho's daemon.</summary>
public interface IFirewallUnderTest : IDisposable
{
    /// <summary>"kernel" or "sekisho", for messages.</summary>
    string Name { get; }

    /// <summary>Runs an iptables tool (<c>iptables ...</c>, <c>iptables-save ...</c>, <c>iptables-restore</c>) on the firewall.</summary>
    TestSupport.ToolResult Tool(IReadOnlyList<string> words, string? stdin = null);

    /// <summary>Makes <paramref name="rules"/> (iptables-save text) the ruleset, with counters at zero.</summary>
    void Load(string rules);

    /// <summary>Ends the step: the LOG lines written during it (the text after <c>kernel: </c>) and <c>iptables-save -c</c> without comments.</summary>
    (List<string> Log, string Counters) EndStep();
}
