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
    private static readonly Lazy<string> s_toolDirectory = new(CreateToolDirectory);

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
        KernelEnvironment.Exec("ip", new[] { "netns", "exec", Name }.Concat(command), stdin,
            pathPrefix: s_toolDirectory.Value);

    /// <summary>
    /// Runs an iptables tool command line (<c>iptables ...</c>, <c>iptables-save ...</c>,
    /// <c>iptables-restore ...</c>) with the kernel's legacy tools.
    /// </summary>
    public ToolResult RunIptables(string commandLine, string? stdin = null) => RunIptables(ShellWords.Split(commandLine), stdin);

    /// <summary>Runs an iptables tool command given as words.</summary>
    public ToolResult RunIptables(IReadOnlyList<string> words, string? stdin = null)
    {
        if (words[0] is not ("iptables" or "iptables-save" or "iptables-restore"))
        {
            throw new ArgumentException($"Unknown tool {words[0]}");
        }

        // Called through links with the plain names, as on a real system, so that argv[0] (which getopt prints)
        // is "iptables-save" and not "iptables-legacy-save".
        return Run(words, stdin);
    }

    private static string CreateToolDirectory()
    {
        string multi = KernelEnvironment.FindOnPath("xtables-legacy-multi")
            ?? throw new InvalidOperationException("xtables-legacy-multi is not installed");
        string directory = Path.Combine(Path.GetTempPath(), $"sekisho-kernel-tools-{Environment.ProcessId}");
        Directory.CreateDirectory(directory);
        foreach (string name in new[] { "iptables", "iptables-save", "iptables-restore" })
        {
            string link = Path.Combine(directory, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, multi);
            }
        }

        return directory;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        KernelEnvironment.Exec("ip", ["netns", "del", Name]);
    }
}
