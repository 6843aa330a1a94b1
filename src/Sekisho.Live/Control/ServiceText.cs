namespace Sekisho.Live.Control;

/// <summary>The lines of CentOS' <c>iptables.init</c> (iptables-services) that Sekisho's service commands reproduce.</summary>
/// <remarks>
/// The init script prints an action, then <c>success</c> or <c>failure</c> from <c>/etc/init.d/functions</c>:
/// <c>[  OK  ]</c> or <c>[FAILED]</c>. Status of a stopped firewall is "Firewall is not running." with LSB exit
/// status 3.
/// </remarks>
public static class ServiceText
{
    /// <summary>The init functions' success mark.</summary>
    public const string Ok = "[  OK  ]";

    /// <summary>The init functions' failure mark.</summary>
    public const string Failed = "[FAILED]";

    /// <summary><c>service iptables status</c> of a stopped firewall.</summary>
    public const string NotRunning = "iptables: Firewall is not running.\n";

    /// <summary>The save line's action, before the mark.</summary>
    public static string Saving(string rulesFile) => $"iptables: Saving firewall rules to {rulesFile}:";

    /// <summary>The start line's action, before the mark.</summary>
    public const string Applying = "iptables: Applying firewall rules: ";

    /// <summary>The stop line's action, before the mark.</summary>
    public const string Stopping = "iptables: Stopping the Sekisho firewall daemon: ";
}
