using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>
/// The real executable, as users and scripts call it: through links named iptables, iptables-save and
/// iptables-restore, and as <c>sekisho iptables ...</c>, compared with the kernel's tools.
/// </summary>
public sealed class CliTests
{
    [KernelFact]
    public void LinksAndSubcommands_BehaveLikeTheKernelTools()
    {
        using var kernel = new KernelNamespace();
        string state = Directory.CreateTempSubdirectory("sekisho-cli-").FullName;
        string links = Directory.CreateTempSubdirectory("sekisho-links-").FullName;
        try
        {
            foreach (string name in new[] { "iptables", "iptables-save", "iptables-restore" })
            {
                File.CreateSymbolicLink(Path.Combine(links, name), LauncherBuild.Binary);
            }

            string[] script =
            [
                "iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix [INPUT]",
                "iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT",
                "iptables -L -v -n",
                "iptables -A INPUT --bogus",
                "iptables-save -c",
                "iptables -F",
                "iptables-restore",
                "iptables -S",
            ];
            const string restoreInput = "*filter\n:INPUT DROP [0:0]\n-A INPUT -i lo -j ACCEPT\nCOMMIT\n";
            foreach (string line in script)
            {
                var words = ShellWords.Split(line);
                string? stdin = words[0] == "iptables-restore" ? restoreInput : null;
                var expected = Normalize(kernel.RunIptables(words, stdin));

                // Through the link...
                var viaLink = Normalize(KernelEnvironment.Exec("env",
                    [$"SEKISHO_STATE_DIR={state}", Path.Combine(links, words[0]), .. words.Skip(1)], stdin));
                Assert.True(expected == viaLink, $"{line}\n=== kernel ===\n{expected}=== link ===\n{viaLink}");

                // ... and as a subcommand, on a second state directory that follows the same script.
                var viaSubcommand = Normalize(KernelEnvironment.Exec("env",
                    [$"SEKISHO_STATE_DIR={state}-sub", LauncherBuild.Binary, .. words], stdin));
                Assert.True(expected == viaSubcommand, $"{line}\n=== kernel ===\n{expected}=== subcommand ===\n{viaSubcommand}");
            }
        }
        finally
        {
            Directory.Delete(state, recursive: true);
            if (Directory.Exists(state + "-sub"))
            {
                Directory.Delete(state + "-sub", recursive: true);
            }

            Directory.Delete(links, recursive: true);
        }
    }

    private static ToolResult Normalize(ToolResult result) => result with
    {
        Stdout = string.Join('\n', result.Stdout.Split('\n').Select(l => l.StartsWith("# ") ? "# <comment>" : l)),
    };
}
