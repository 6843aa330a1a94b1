using System.Globalization;
using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Live.Control;

/// <summary><c>sekisho service status</c> of a running daemon.</summary>
/// <remarks>
/// The daemon's own facts (since when, the rules file, the interfaces, packets seen, rules loaded), then what
/// CentOS' <c>service iptables status</c> prints: for each table, newest first as
/// <c>/proc/net/ip_tables_names</c> lists them, "Table: NAME" and <c>iptables -t NAME --list -n --line-numbers</c>
/// followed by an empty line.
/// </remarks>
public static class ServiceStatus
{
    /// <summary>Renders the status text.</summary>
    public static string Render(LiveFirewall firewall, DaemonInfo info, IRulesetStore store, INameService names,
        TimeProvider? clock = null)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var ruleset = firewall.Ruleset;
        int rules = ruleset.Tables.Sum(t => t.Chains.Sum(c => c.Rules.Count));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture,
            $"Sekisho firewall daemon: running (pid {Environment.ProcessId}) since {firewall.StartedAt.UtcDateTime:ddd yyyy-MM-dd HH:mm:ss} UTC; {Ago(now - firewall.StartedAt)} ago\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Rules loaded: {rules} {(rules == 1 ? "rule" : "rules")} in {ruleset.Tables.Count} {(ruleset.Tables.Count == 1 ? "table" : "tables")} (rules file {info.RulesFile})\n");
        text.Append(CultureInfo.InvariantCulture,
            $"Interfaces: {(info.Interfaces.Count == 0 ? "(none)" : string.Join(' ', info.Interfaces))}\n");
        text.Append(CultureInfo.InvariantCulture, $"Packets seen: {firewall.PacketsSeen}\n");
        if (firewall.DataPlane is { } plane)
        {
            text.Append(CultureInfo.InvariantCulture,
                $"Data plane: {plane.Threads} {(plane.Threads == 1 ? "thread" : "threads")}, {plane.AllocatedBytes} bytes allocated, {plane.DroppedOnOutput} frames refused on output\n");
        }
        foreach (var table in ruleset.TablesNewestFirst)
        {
            var listing = new StringWriter(new StringBuilder()) { NewLine = "\n" };
            new IptablesCommand(store, names).Run(["-w", "-t", table.Name, "--list", "-n", "--line-numbers"],
                new ToolOutput(listing, listing));
            text.Append(CultureInfo.InvariantCulture, $"Table: {table.Name}\n").Append(listing.ToString()).Append('\n');
        }

        return text.ToString();
    }

    private static string Ago(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            elapsed = TimeSpan.Zero;
        }

        if (elapsed.TotalMinutes < 1)
        {
            return $"{(int)elapsed.TotalSeconds}s";
        }

        if (elapsed.TotalHours < 1)
        {
            return $"{(int)elapsed.TotalMinutes}min {elapsed.Seconds}s";
        }

        if (elapsed.TotalDays < 1)
        {
            return $"{(int)elapsed.TotalHours}h {elapsed.Minutes}min";
        }

        return $"{(int)elapsed.TotalDays} days {elapsed.Hours}h";
    }
}
