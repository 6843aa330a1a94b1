using Xunit;
namespace Sekisho.TestSupport;

/// <summary>A private network namespace with its own netfilter tables: the kernel oracle.</summary>
/// <remarks>
/// Created with <c>ip netns add</c> under a unique name and deleted on dispose. Commands run in it with
/// <c>ip netns exec</c>; nothing is sent outside it.
/// </remarks>
public sealed class KernelNamespace : IDisposable
{
    private static int s_counter;

    /// <summary>Creates a namespace.</summary>
    public KernelNamespace()
    {
        Name = $"skt{Environment.ProcessId}x{Interlocked.Increment(ref s_counter)}";
        var result = KernelEnvironment.Exec("ip", ["netns", "add", Name]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip netns add {Name} failed: {result.Stderr.Trim()}");
        }
    }

    /// <summary>The namespace name.</summary>
    public string Name { get; }

    /// <summary>Runs a program inside the namespace.</summary>
    public ToolResult Run(IEnumerable<string> command, string? stdin = null) =>
        KernelEnvironment.Exec("ip", new[] { "netns", "exec", Name }.Concat(command), stdin);

    /// <summary>
    /// Runs an iptables tool command line (<c>iptables ...</c>, <c>iptables-save ...</c>,
    /// <c>iptables-restore ...</c>) with the kernel's legacy tools.
    /// </summary>
    public ToolResult RunIptables(string commandLine, string? stdin = null) => RunIptables(ShellWords.Split(commandLine), stdin);

    /// <summary>Runs an iptables tool command given as words.</summary>
    public ToolResult RunIptables(IReadOnlyList<string> words, string? stdin = null)
    {
        string tool = words[0] switch
        {
            "iptables" => "iptables-legacy",
            "iptables-save" => "iptables-legacy-save",
            "iptables-restore" => "iptables-legacy-restore",
            _ => throw new ArgumentException($"Unknown tool {words[0]}"),
        };
        return Run(new[] { tool }.Concat(words.Skip(1)), stdin);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KernelEnvironment.Exec("ip", ["netns", "del", Name]);
    }
}
