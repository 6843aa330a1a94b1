using System.Reflection;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions;

namespace Sekisho.Iptables.Tests.Engine;

/// <summary>
/// Every match and target iptables can load also runs on packets: its record overrides <see cref="MatchInfo.Match"/>
/// or <see cref="TargetInfo.Execute"/>, whose base versions throw.
/// </summary>
public sealed class RuntimeCoverageTests
{
    /// <summary>
    /// Extensions whose packet code is still being written elsewhere. This list only shrinks: the test fails
    /// when an extension on it gains its runtime code, so that the entry is removed.
    /// </summary>
    private static readonly HashSet<string> s_stillMissing =
    [
    ];

    // The standard targets are walked by the table itself (jumps, verdicts), as ipt_do_table does.
    private static readonly HashSet<Type> s_walkedByTable = [typeof(VerdictTarget), typeof(JumpTarget)];

    [Fact]
    public void EveryMatchAndTarget_HasPacketCode()
    {
        var assembly = typeof(MatchInfo).Assembly;
        var types = assembly.GetTypes()
            .Where(t => !t.IsAbstract && (t.IsSubclassOf(typeof(MatchInfo)) || t.IsSubclassOf(typeof(TargetInfo))))
            .Where(t => !s_walkedByTable.Contains(t))
            .ToList();
        Assert.True(types.Count >= ExtensionRegistry.Matches.Count - 1, "the registry's matches should all have records");

        var missing = new List<string>();
        foreach (var type in types)
        {
            var method = type.IsSubclassOf(typeof(MatchInfo))
                ? type.GetMethod(nameof(MatchInfo.Match), [typeof(PacketContext), typeof(object)])
                : type.GetMethod(nameof(TargetInfo.Execute), [typeof(PacketContext), typeof(object)]);
            bool overridden = method is not null && method.DeclaringType == type;
            if (!overridden)
            {
                missing.Add(type.Name);
            }
        }

        var unexpected = missing.Where(name => !s_stillMissing.Contains(name)).Order().ToList();
        var done = s_stillMissing.Where(name => !missing.Contains(name)).Order().ToList();
        Assert.True(unexpected.Count == 0, $"without packet code: {string.Join(", ", unexpected)}");
        Assert.True(done.Count == 0, $"remove from the allow-list (they have packet code now): {string.Join(", ", done)}");
    }

    [Fact]
    public void RegisteredMatchNames_AllHaveRecords()
    {
        var names = typeof(MatchInfo).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && t.IsSubclassOf(typeof(MatchInfo)))
            .Select(t => t.Name.Replace("Match", string.Empty, StringComparison.Ordinal).ToLowerInvariant())
            .ToHashSet();
        var orphans = ExtensionRegistry.Matches.Keys.Where(name => !names.Contains(name) && name != "state").ToList();
        Assert.Empty(orphans);
    }
}
