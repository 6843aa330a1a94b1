namespace Sekisho.Netfilter.Conntrack;

/// <summary>Counts the connections of address groups, for the connlimit match of one rule.</summary>
/// <remarks>
/// The kernel's <c>nf_conncount</c>: per key (a masked address and the zone id) a list of the tuples seen. Each
/// count first walks the list (at most once per jiffy), dropping tuples whose connection is gone or closed (TCP
/// TIME_WAIT or CLOSE) and stopping after more than eight such; a tuple already listed is not added again.
/// The reference machine has one CPU, so an entry whose connection is not (yet) in the table is always dropped.
/// </remarks>
public sealed class ConnectionCounter
{
    private const int GcMaxNodes = 8;

    private readonly Dictionary<(uint Address, ushort Zone), CountList> _lists = [];

    /// <summary>
    /// Counts the connections of <paramref name="key"/>'s group, adding <paramref name="tuple"/> (an original-direction
    /// tuple) when it is new to it (<c>nf_conncount_count</c>).
    /// </summary>
    public int Count(ConntrackTable table, uint key, in ConntrackTuple tuple, ConntrackZone zone)
    {
        uint now = table.Now32;
        if (!_lists.TryGetValue((key, zone.Id), out var list) || list.Entries.Count == 0)
        {
            list ??= new CountList();
            list.Entries.Clear();
            list.Entries.Add(new Entry(tuple, zone, now));
            list.LastGc = now;
            _lists[(key, zone.Id)] = list;
            return 1;
        }

        Add(table, list, tuple, zone, now);
        return list.Entries.Count;
    }

    private static void Add(ConntrackTable table, CountList list, in ConntrackTuple tuple, ConntrackZone zone, uint now)
    {
        if (now != list.LastGc)
        {
            int collected = 0;
            var entries = list.Entries;
            for (int i = 0; i < entries.Count;)
            {
                if (collected > GcMaxNodes)
                {
                    break;
                }

                var entry = entries[i];
                var found = table.Find(entry.Tuple, entry.Zone, out _);
                if (found is null)
                {
                    entries.RemoveAt(i);
                    collected++;
                    continue;
                }

                if (entry.Tuple == tuple && found.Zone == zone.Id)
                {
                    return;
                }

                if (found.Protocol == 6 && found.TcpState is TcpConntrackState.TimeWait or TcpConntrackState.Close)
                {
                    entries.RemoveAt(i);
                    collected++;
                    continue;
                }

                i++;
            }
        }

        list.Entries.Add(new Entry(tuple, zone, now));
        list.LastGc = now;
    }

    private readonly record struct Entry(ConntrackTuple Tuple, ConntrackZone Zone, uint Jiffies);

    private sealed class CountList
    {
        public List<Entry> Entries { get; } = [];

        public uint LastGc { get; set; }
    }
}
