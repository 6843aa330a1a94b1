using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Iptables.Parsing;

/// <summary>The result of parsing one iptables command line.</summary>
/// <remarks>iptables' <c>xt_cmd_parse</c>, <c>xtables_args</c> and <c>iptables_command_state</c> after <c>do_parse()</c>.</remarks>
public sealed class ParsedCommand
{
    /// <summary>The command bits.</summary>
    public CommandKind Command { get; internal set; }

    /// <summary>The chain argument.</summary>
    public string? Chain { get; internal set; }

    /// <summary>The rule number (1-based), 0 if none.</summary>
    public uint RuleNumber { get; internal set; }

    /// <summary>The new name of <c>-E</c>.</summary>
    public string? NewName { get; internal set; }

    /// <summary>The policy of <c>-P</c>.</summary>
    public string? Policy { get; internal set; }

    /// <summary>The table.</summary>
    public string Table { get; internal set; } = "filter";

    /// <summary>The generic options seen.</summary>
    public OptionFlags Options { get; internal set; }

    /// <summary>How many <c>-v</c>.</summary>
    public int Verbose { get; internal set; }

    /// <summary>Lock wait in seconds: 0 without <c>-w</c>, -1 for <c>-w</c> without a number.</summary>
    public int Wait { get; internal set; }

    /// <summary>Whether <c>-w</c> was given.</summary>
    public bool WaitGiven { get; internal set; }

    /// <summary>The rule template (addresses still unset).</summary>
    internal IpHeaderMatch Ip { get; set; }

    /// <summary>The source address/mask pairs (several when comma separated or a name resolves to several).</summary>
    public List<(Ipv4Address Address, Ipv4Address Mask)> Sources { get; } = new(1);

    /// <summary>The destination address/mask pairs.</summary>
    public List<(Ipv4Address Address, Ipv4Address Mask)> Destinations { get; } = new(1);

    /// <summary>The matches, in order.</summary>
    public List<MatchInfo> Matches { get; } = new(2);

    /// <summary>The target name given with <c>-j</c>/<c>-g</c> ("" when none).</summary>
    public string JumpTo { get; internal set; } = string.Empty;

    /// <summary>The target extension's result when <c>-j</c> named an extension or a standard verdict.</summary>
    internal TargetInfo? Target { get; set; }

    /// <summary>Whether <c>-j</c> named an extension (or standard verdict) rather than possibly a chain.</summary>
    internal bool TargetIsExtension { get; set; }

    /// <summary>Whether <c>-g</c> was used.</summary>
    public bool Goto { get; internal set; }

    /// <summary>Counters given with <c>-c</c>.</summary>
    public ulong PacketCounter { get; internal set; }

    /// <summary>Counters given with <c>-c</c>.</summary>
    public ulong ByteCounter { get; internal set; }

    /// <summary>For iptables-restore: the line is for the other address family and is ignored.</summary>
    public bool Ignored { get; internal set; }
}
