using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests;

/// <summary>Random 10,000-rule rulesets: restore then save, on the kernel and on Sekisho.</summary>
public sealed class RandomRoundTripTests
{
    public static TheoryData<int> Seeds => new() { 1, 2, 3 };

    [KernelTheory]
    [MemberData(nameof(Seeds))]
    public void Restore10kRules_ThenSave_IdenticalToKernel(int seed)
    {
        using var diff = new Differential();
        string ruleset = new RandomRuleset(seed).FilterTable(rules: 10_000, userChains: 40, counters: true);
        var restored = diff.Step("iptables-restore -c", ruleset);
        Assert.True(restored.ExitCode == 0, $"the kernel refused the random ruleset: {restored.Stderr}");
        var saved = diff.Step("iptables-save -c");
        Assert.Equal(10_000, saved.Stdout.Split('\n').Count(line => line.StartsWith('[')));
        diff.Step("iptables -L -v -n -x --line-numbers");
    }

    [KernelTheory]
    [MemberData(nameof(Seeds))]
    public void RestoreWithBadLine_LeavesPreviousRulesetIntact(int seed)
    {
        using var diff = new Differential();
        var generator = new RandomRuleset(seed);
        var restored = diff.Step("iptables-restore -c", generator.FilterTable(rules: 2_000, userChains: 10, counters: true));
        Assert.True(restored.ExitCode == 0, $"the kernel refused the random ruleset: {restored.Stderr}");
        string before = diff.Step("iptables-save -c").Stdout;

        string[] lines = generator.FilterTable(rules: 10_000, userChains: 40, counters: false).Split('\n');
        int position = generator.Random.Next(6 + 40, lines.Length - 2);
        lines[position] = generator.Random.Next(3) switch
        {
            0 => "-A INPUT -p tcp --dport 65536 -j ACCEPT",
            1 => "-A INPUT --no-such-option",
            _ => "-A no-such-chain -j ACCEPT",
        };

        var failed = diff.Step("iptables-restore", string.Join('\n', lines));
        Assert.NotEqual(0, failed.ExitCode);
        string after = diff.Step("iptables-save -c").Stdout;
        Assert.Equal(StripComments(before), StripComments(after));
    }

    private static string StripComments(string save) =>
        string.Join('\n', save.Split('\n').Where(line => !line.StartsWith('#')));
}
