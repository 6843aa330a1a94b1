using System.Collections.Frozen;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Extensions.Targets;

namespace Sekisho.Netfilter.Extensions;

/// <summary>The one table of all match and target extensions Sekisho knows.</summary>
/// <remarks>
/// Explicit, in the spirit of iptables' static extension list: no reflection, and a name registered twice is a
/// programming error that fails at start-up.
/// </remarks>
public static class ExtensionRegistry
{
    private static readonly FrozenDictionary<string, MatchExtension> s_matches = Build<MatchExtension>(
    [
        AddrtypeMatch.Extension,
        CommentMatch.Extension,
        ConnlimitMatch.Extension,
        ConnmarkMatch.Extension,
        ConntrackMatch.Extension,
        ConntrackMatch.StateExtension,
        DscpMatch.Extension,
        HashlimitMatch.Extension,
        IcmpMatch.Extension,
        IprangeMatch.Extension,
        LengthMatch.Extension,
        LimitMatch.Extension,
        MacMatch.Extension,
        MarkMatch.Extension,
        MultiportMatch.Extension,
        OwnerMatch.Extension,
        PhysdevMatch.Extension,
        PkttypeMatch.Extension,
        PolicyMatch.Extension,
        RecentMatch.Extension,
        RpfilterMatch.Extension,
        SctpMatch.Extension,
        StatisticMatch.Extension,
        TcpMatch.Extension,
        TosMatch.Extension,
        TtlMatch.Extension,
        UdpMatch.Extension,
    ]);

    private static readonly FrozenDictionary<string, TargetExtension> s_targets = Build<TargetExtension>(
    [
        ChecksumTarget.Extension,
        ConnmarkTarget.Extension,
        CtTarget.Extension,
        CtTarget.NotrackExtension,
        DnatTarget.Extension,
        DscpTarget.Extension,
        LogTarget.Extension,
        MarkTarget.Extension,
        MasqueradeTarget.Extension,
        NetmapTarget.Extension,
        NflogTarget.Extension,
        RedirectTarget.Extension,
        RejectTarget.Extension,
        SnatTarget.Extension,
        TcpmssTarget.Extension,
        TosTarget.Extension,
    ]);

    /// <summary>All match extensions by name.</summary>
    public static IReadOnlyDictionary<string, MatchExtension> Matches => s_matches;

    /// <summary>All target extensions by name.</summary>
    public static IReadOnlyDictionary<string, TargetExtension> Targets => s_targets;

    /// <summary>The match extension of a name, or null.</summary>
    public static MatchExtension? FindMatch(string name) => s_matches.GetValueOrDefault(name);

    /// <summary>The target extension of a name, or null.</summary>
    public static TargetExtension? FindTarget(string name) => s_targets.GetValueOrDefault(name);

    private static FrozenDictionary<string, T> Build<T>(T[] extensions)
        where T : Extension
    {
        var map = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var extension in extensions)
        {
            if (!map.TryAdd(extension.Name, extension))
            {
                throw new InvalidOperationException($"Extension '{extension.Name}' is registered twice.");
            }
        }

        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
