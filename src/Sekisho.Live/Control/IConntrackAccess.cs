using Sekisho.Netfilter.Conntrack;

namespace Sekisho.Live.Control;

/// <summary>A connection tracking table the conntrack tool reads or flushes: the state directory's or the daemon's.</summary>
public interface IConntrackAccess
{
    /// <summary>Runs <paramref name="read"/> on the table, with whatever exclusion its owner needs.</summary>
    T Read<T>(Func<ConntrackTable, T> read);

    /// <summary>Empties the table.</summary>
    void Flush();
}
