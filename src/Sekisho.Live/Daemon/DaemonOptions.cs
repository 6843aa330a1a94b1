namespace Sekisho.Live.Daemon;

/// <summary>How the daemon runs: the managed interfaces, the rules file loaded at start, the fail mode.</summary>
public sealed class DaemonOptions
{
    /// <summary>The file <c>service iptables save</c> writes, loaded at start.</summary>
    public const string DefaultRulesFile = "/etc/sysconfig/iptables";

    /// <summary>The interfaces the daemon stands in front of.</summary>
    public List<string> Interfaces { get; } = [];

    /// <summary>The iptables-save file loaded at start (a missing file is an empty ruleset).</summary>
    public string RulesFile { get; set; } = DefaultRulesFile;

    /// <summary>What happens to traffic while no daemon runs.</summary>
    public FailMode FailMode { get; set; } = FailMode.Open;

    /// <summary>The run directory (the record of the interposition; the control socket).</summary>
    public string RunDirectory { get; set; } = Control.ControlPaths.RunDirectory();

    /// <summary>The state directory, whose <c>messages</c> file gets the LOG lines and which keeps the last ruleset at stop.</summary>
    public string? StateDirectory { get; set; }
}
