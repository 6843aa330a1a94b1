using Sekisho.Netfilter.Conntrack;

namespace Sekisho.Live.Control;

/// <summary>The running engine's connection tracking table, read and flushed between two packets.</summary>
public sealed class LiveConntrack(LiveFirewall firewall) : IConntrackAccess
{
    /// <inheritdoc />
    public T Read<T>(Func<ConntrackTable, T> read)
    {
        lock (firewall.Gate)
        {
            return read(firewall.Net.Conntrack);
        }
    }

    /// <inheritdoc />
    public void Flush()
    {
        lock (firewall.Gate)
        {
            firewall.Net.Conntrack.Flush();
        }
    }
}
