using System.Text.RegularExpressions;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// The sekisho executable as a client: the same command lines, once against the running daemon (its socket in
/// $SEKISHO_RUN_DIR) and once against a state directory, print the same bytes and exit the same way.
/// </summary>
public sealed partial class ProcessClientTests : IDisposable
{
    private readonly LiveDaemonFixture _daemon = new();

    [Fact]
    public void Executable_DaemonAndStateDirectory_SameOutput()
    {
        string state = Path.Combine(_daemon.Root, "state");
        string rulesFile = Path.Combine(_daemon.Root, "saved.rules");
        File.WriteAllText(rulesFile, "*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n");
        var steps = new (string[] Words, string? Stdin)[]
        {
            (["iptables", "-A", "INPUT", "-s", "10.1.77.146", "-p", "icmp", "-j", "LOG", "--log-prefix", "[INPUT]"], null),
            (["iptables-restore", "--noflush"], "*filter\n-A INPUT -p icmp -j DROP\nCOMMIT\n"),
            (["iptables-restore", "--noflush", "saved.rules"], null),
            (["iptables", "-L", "-n", "-v"], null),
            (["iptables", "-A", "INPUT", "-j", "NOSUCHCHAIN"], null),
            (["iptables-save"], null),
            (["iptables-save", "-f", "out.rules"], null),
            (["conntrack", "-C"], null),
        };
        foreach (var (words, stdin) in steps)
        {
            var live = Sekisho(["env", "-u", "SEKISHO_STATE_DIR", $"SEKISHO_RUN_DIR={_daemon.RunDirectory}"], words, stdin);
            string liveSaved = ReadAndDelete(Path.Combine(_daemon.Root, "out.rules"));
            var offline = Sekisho(["env", "-u", "SEKISHO_RUN_DIR", $"SEKISHO_STATE_DIR={state}"], words, stdin);
            string offlineSaved = ReadAndDelete(Path.Combine(_daemon.Root, "out.rules"));
            Assert.Equal(Normalise(offline), Normalise(live));
            Assert.Equal(SaveTime().Replace(offlineSaved, "TIME"), SaveTime().Replace(liveSaved, "TIME"));
        }

        Assert.Equal(3, _daemon.Firewall.Ruleset.Find("filter")!.Find("INPUT")!.Rules.Count);
    }

    public void Dispose() => _daemon.Dispose();

    private ToolResult Sekisho(string[] env, string[] words, string? stdin)
    {
        // Through sh, to run in the test's directory, where the relative file names are.
        string[] command = [.. env, Path.Combine(AppContext.BaseDirectory, "sekisho"), .. words];
        return KernelEnvironment.Exec("sh", ["-c", "cd \"$0\" && exec \"$@\"", _daemon.Root, .. command], stdin);
    }

    private static string ReadAndDelete(string path)
    {
        if (!File.Exists(path))
        {
            return string.Empty;
        }

        string text = File.ReadAllText(path);
        File.Delete(path);
        return text;
    }

    private static ToolResult Normalise(ToolResult result) => result with { Stdout = SaveTime().Replace(result.Stdout, "TIME") };

    [GeneratedRegex(@"on \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}")]
    private static partial Regex SaveTime();
}
