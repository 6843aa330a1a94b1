using System.Text;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.TestSupport;

namespace Sekisho.Iptables.Tests.State;

/// <summary>
/// The commands that work on the state file's lines (iptables-save, -A, -I, -D, -C) against the general path that
/// parses everything: the same outputs, exit codes and files, step by step.
/// </summary>
public sealed class TextPathTests : IDisposable
{
    private static readonly string[] s_script =
    [
        "iptables -N keep",
        "iptables -P FORWARD DROP -c 10 20",
        "iptables -A INPUT -i + -p tcp --dport 22 -j ACCEPT",
        "iptables -A INPUT -s 10.0.0.1,10.0.0.2 -d 10.1.0.0/16 -j DROP",
        "iptables -A keep -p tcp --tcp-flags SYN,ACK SYN -c 5 600 -j REJECT --reject-with tcp-reset",
        "iptables -A keep -p icmp --icmp-type 3/1 -j LOG --log-prefix \"[x] \"",
        "iptables -A INPUT -m recent --name web --rcheck --seconds 60 -j DROP",
        "iptables -I INPUT 2 -p udp --dport 53 -j ACCEPT",
        "iptables -I INPUT -m comment --comment \"first -j keep\" -j ACCEPT",
        "iptables -I INPUT 99 -j ACCEPT",
        "iptables -A INPUT -j keep",
        "iptables -C INPUT -s 10.0.0.2/32 -d 10.1.0.0/16 -j DROP",
        "iptables -C INPUT -s 10.0.0.3 -j DROP",
        "iptables -D INPUT -s 10.0.0.1 -d 10.1.0.0/16 -j DROP",
        "iptables -D INPUT -s 10.0.0.1 -d 10.1.0.0/16 -j DROP",
        "iptables -D INPUT -i + -p tcp --dport 22 -j ACCEPT",
        "iptables -D INPUT 1",
        "iptables -D INPUT 42",
        "iptables -A OUTPUT -j REJECT",
        "iptables -A PREROUTING -j ACCEPT",
        "iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE",
        "iptables -t nat -A INPUT -j MASQUERADE",
        "iptables -t raw -A PREROUTING -j CT --notrack",
        "iptables -A keep -j REJECT",
        "iptables -A FORWARD -m hashlimit --hashlimit-above 5/sec --hashlimit-name h -j DROP",
        "iptables -D keep 1",
        "iptables -C keep -p icmp --icmp-type 3/1 -j LOG --log-prefix \"[x] \"",
    ];

    private readonly string _fast = Directory.CreateTempSubdirectory("sekisho-text-").FullName;
    private readonly string _general = Directory.CreateTempSubdirectory("sekisho-text-").FullName;

    public void Dispose()
    {
        Directory.Delete(_fast, recursive: true);
        Directory.Delete(_general, recursive: true);
    }

    [Fact]
    public void Script_LineLevelAndGeneralPaths_GiveSameResults()
    {
        var fast = new SekishoTools(_fast, LibcNameService.Instance);
        var general = new SekishoTools(_general, LibcNameService.Instance);
        foreach (string command in s_script)
        {
            BreakChecksum(_general);
            var expected = general.Run(command);
            var actual = fast.Run(command);
            Assert.True(expected.ExitCode == actual.ExitCode && expected.Stdout == actual.Stdout && expected.Stderr == actual.Stderr,
                $"{command}\nfast: {actual.ExitCode} {actual.Stdout}{actual.Stderr}\ngeneral: {expected.ExitCode} {expected.Stdout}{expected.Stderr}");

            Assert.Equal(Body(_general), Body(_fast));
            BreakChecksum(_general);
            Assert.Equal(general.Run("iptables-save -c").Stdout, fast.Run("iptables-save -c").Stdout);
            Assert.Equal(general.Run("iptables-save -t filter").Stdout, fast.Run("iptables-save -t filter").Stdout);
        }

        Assert.Contains("#save -A INPUT", Body(_fast));
    }

    [Fact]
    public void StateFile_CarriesChecksumOfItsBody()
    {
        var tools = new SekishoTools(_fast, LibcNameService.Instance);
        Assert.Equal(0, tools.Run("iptables -A INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);
        string[] lines = File.ReadAllText(Path.Combine(_fast, "ruleset")).Split('\n', 3);
        Assert.Equal(StateDirectory.Header, lines[0]);
        Assert.Equal($"# crc32c {Crc32c.Compute(Encoding.UTF8.GetBytes(lines[2])):x8}", lines[1]);
    }

    [Fact]
    public void EditedStateFile_IsParsedNotCopied()
    {
        var tools = new SekishoTools(_fast, LibcNameService.Instance);
        Assert.Equal(0, tools.Run("iptables -A INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);
        string path = Path.Combine(_fast, "ruleset");

        // A hand edit that restore accepts but that is not in canonical form: the checksum no longer holds, so
        // save parses the file and prints the rule as iptables would.
        File.WriteAllText(path, File.ReadAllText(path).Replace("-s 10.0.0.1/32", "--source 10.0.0.1"));
        var saved = tools.Run("iptables-save");

        Assert.Equal(0, saved.ExitCode);
        Assert.Contains("-A INPUT -s 10.0.0.1/32 -j ACCEPT\n", saved.Stdout);
    }

    [Fact]
    public void RuleCommands_DoNotParseTheOtherRules()
    {
        // A line only the line-level path can carry: restore would refuse it, and the checksum says Sekisho wrote it.
        string body = "*filter\n:INPUT ACCEPT [3:4]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT --opaque\nCOMMIT\n";
        File.WriteAllBytes(Path.Combine(_fast, "ruleset"), RulesetText.Compose(Encoding.UTF8.GetBytes(body)));
        var tools = new SekishoTools(_fast, LibcNameService.Instance);

        Assert.Equal(0, tools.Run("iptables -A INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);
        Assert.Equal(0, tools.Run("iptables -C INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);
        Assert.Equal(0, tools.Run("iptables -I INPUT -p udp -j DROP").ExitCode);
        Assert.Equal(0, tools.Run("iptables -D INPUT -s 10.0.0.1 -j ACCEPT").ExitCode);

        Assert.Equal(
            "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT -p udp -j DROP\n" +
            "[0:0] -A INPUT --opaque\nCOMMIT\n", Body(_fast));
        Assert.Equal(0, tools.Run("iptables-save -c").ExitCode);

        // Commands that need the rules parse them and report the damage.
        Assert.Equal(1, tools.Run("iptables -L").ExitCode);
    }

    [Fact]
    public void Restore_WithoutNoflush_DoesNotParseTheRulesItReplaces()
    {
        string body = "*filter\n:INPUT DROP [3:4]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:old - [0:0]\n[0:0] -A INPUT --opaque\nCOMMIT\n";
        File.WriteAllBytes(Path.Combine(_fast, "ruleset"), RulesetText.Compose(Encoding.UTF8.GetBytes(body)));
        var tools = new SekishoTools(_fast, LibcNameService.Instance);

        // --noflush keeps the old rules, so it must read them, and finds the damage.
        Assert.NotEqual(0, tools.Run("iptables-restore -n", "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n").ExitCode);

        var restored = tools.Run("iptables-restore -v", "*filter\n:FORWARD DROP [0:0]\n-A INPUT -s 10.0.0.1 -j ACCEPT\nCOMMIT\n");
        Assert.Equal(0, restored.ExitCode);
        Assert.Contains("Flushing chain `INPUT'\n", restored.Stdout);
        Assert.Contains("Deleting chain `old'\n", restored.Stdout);
        Assert.Equal(
            "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n[0:0] -A INPUT -s 10.0.0.1/32 -j ACCEPT\nCOMMIT\n",
            Body(_fast));
    }

    [Fact]
    public void Crc32c_KnownValues()
    {
        Assert.Equal(0xE3069283u, Crc32c.Compute("123456789"u8));
        Assert.Equal(0u, Crc32c.Compute([]));
        byte[] zeros = new byte[32];
        Assert.Equal(0x8A9136AAu, Crc32c.Compute(zeros));
    }

    private static void BreakChecksum(string directory)
    {
        string path = Path.Combine(directory, "ruleset");
        if (File.Exists(path))
        {
            string[] lines = File.ReadAllText(path).Split('\n', 3);
            File.WriteAllText(path, $"{lines[0]}\n# crc32c 00000000\n{lines[2]}");
        }
    }

    private static string Body(string directory)
    {
        string path = Path.Combine(directory, "ruleset");
        return File.Exists(path) ? File.ReadAllText(path).Split('\n', 3)[2] : string.Empty;
    }
}
