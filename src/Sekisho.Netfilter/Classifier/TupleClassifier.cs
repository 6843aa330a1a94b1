namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// A packet classifier over rule boxes in the manner of TupleMerge (Daly and Torng): tables of relaxed
/// (source length, destination length) tuples, each a hash table of small priority-ordered buckets, searched in
/// the order of their best priority so that the search stops as soon as no remaining table can do better.
/// </summary>
/// <remarks>
/// <para>
/// A rule goes into the most specific existing table whose tuple its prefixes cover and whose bucket for it
/// holds fewer than <see cref="CollisionLimit"/> rules; failing that, a table of its tuple relaxed to 0 or 16
/// bits per address is made (or found), and when that one's bucket is full too, the table of its exact tuple. A
/// bucket's rules after its first are scanned eight at a time (<see cref="BoxLanes"/>). Inserting and deleting one
/// rule touches one bucket and, for the order of the tables, one step of an insertion sort: nothing is rebuilt.
/// </para>
/// <para>
/// <see cref="FirstCandidate"/> answers "the first rule at or after priority <c>from</c> whose box holds the
/// packet". Priorities are the caller's: any distinct integers (a chain numbers its rules with gaps, see
/// <see cref="ChainClassifier"/>). <see cref="WithInserted"/>, <see cref="WithRemoved"/> and
/// <see cref="WithReplaced"/> make a changed classifier and leave this one as it was (copy on write by table).
/// </para>
/// </remarks>
public sealed class TupleClassifier
{
    /// <summary>The most rules a bucket takes before a rule looks for another table.</summary>
    public const int CollisionLimit = 128;

    private static readonly int[] s_relaxations = [16, 8, 4];

    private TupleTable[] _tables = new TupleTable[4];
    private int _tableCount;
    private int _count;

    // Null while no other classifier shares the tables; after WithInserted and the like, the tables this one has
    // copied (and may change), every other being shared.
    private HashSet<TupleTable>? _copied;

    /// <summary>The number of rules.</summary>
    public int Count => _count;

    /// <summary>The number of tuple tables.</summary>
    public int TableCount => _tableCount;

    /// <summary>An estimate of the bytes the classifier holds: tables and buckets.</summary>
    public long MemoryBytes
    {
        get
        {
            long bytes = 64 + _tables.Length * 8L;
            for (int i = 0; i < _tableCount; i++)
            {
                bytes += _tables[i].MemoryBytes;
            }

            return bytes;
        }
    }

    /// <summary>Builds a classifier of <paramref name="rules"/> (distinct priorities, any order).</summary>
    public static TupleClassifier Build(ReadOnlySpan<RuleBox> rules)
    {
        var sorted = rules.ToArray();
        Array.Sort(sorted, static (a, b) => a.Priority.CompareTo(b.Priority));
        var classifier = new TupleClassifier();
        foreach (var rule in sorted)
        {
            classifier.Insert(rule);
        }

        return classifier;
    }

    /// <summary>Adds a rule. Its priority must not be in use (not checked: the owner numbers its rules).</summary>
    public void Insert(in RuleBox rule)
    {
        var chosen = Choose(rule);
        int at = Array.IndexOf(_tables, chosen, 0, _tableCount);
        var table = Own(at);
        table.Add(rule);
        _count++;
        while (at > 0 && _tables[at - 1].MinPriority > table.MinPriority)
        {
            _tables[at] = _tables[at - 1];
            at--;
        }

        _tables[at] = table;
    }

    /// <summary>Removes the rule inserted as <paramref name="rule"/> (the same box and priority).</summary>
    /// <returns>False when no such rule is there (nothing changes).</returns>
    public bool Remove(in RuleBox rule)
    {
        int source = RuleBox.PrefixLength(rule.SourceMask);
        int destination = RuleBox.PrefixLength(rule.DestinationMask);
        for (int i = 0; i < _tableCount; i++)
        {
            var table = _tables[i];
            if (table.SourceLength <= source && table.DestinationLength <= destination && table.Holds(rule))
            {
                Own(i).Remove(rule);
                _count--;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A new classifier with <paramref name="rule"/> added (its priority must not be in use). This one is not
    /// changed, so a packet still walking it sees it whole; the two share every table but the one the rule goes to.
    /// </summary>
    public TupleClassifier WithInserted(in RuleBox rule)
    {
        var copy = Share();
        copy.Insert(rule);
        return copy;
    }

    /// <summary>A new classifier without <paramref name="rule"/>, or null when it is not there. This one is not changed.</summary>
    public TupleClassifier? WithRemoved(in RuleBox rule)
    {
        var copy = Share();
        return copy.Remove(rule) ? copy : null;
    }

    /// <summary>
    /// A new classifier with <paramref name="rule"/> in place of <paramref name="old"/>; null when <paramref name="old"/>
    /// is not there. This one is not changed.
    /// </summary>
    public TupleClassifier? WithReplaced(in RuleBox old, in RuleBox rule)
    {
        var copy = Share();
        if (!copy.Remove(old))
        {
            return null;
        }

        copy.Insert(rule);
        return copy;
    }

    /// <summary>
    /// The priority of the first rule at or after <paramref name="from"/> whose box holds <paramref name="key"/>, or
    /// <see cref="int.MaxValue"/> when there is none.
    /// </summary>
    public int FirstCandidate(in PacketKey key, int from)
    {
        int best = int.MaxValue;
        var tables = _tables;
        int count = _tableCount;
        // Every large table's slot is requested first, so that the probes below wait for memory together.
        for (int i = 0; i < count && i < tables.Length; i++)
        {
            tables[i].Prefetch(key);
        }

        for (int i = 0; i < count && i < tables.Length; i++)
        {
            var table = tables[i];
            if (table.MinPriority >= best)
            {
                break;
            }

            if (table.MaxPriority >= from)
            {
                table.Find(key, from, ref best);
            }
        }

        return best;
    }

    /// <summary>
    /// For the benchmark tool: each table's tuple, rules and buckets, then per lookup of <paramref name="traffic"/>
    /// the tables probed, the buckets found and the rules they hold.
    /// </summary>
    internal string Profile(ReadOnlySpan<PacketKey> traffic)
    {
        var text = new System.Text.StringBuilder();
        for (int i = 0; i < _tableCount; i++)
        {
            var table = _tables[i];
            text.AppendLine(System.FormattableString.Invariant(
                $"  ({table.SourceLength}, {table.DestinationLength}): {table.Rules} rules, priorities {table.MinPriority} to {table.MaxPriority}, {table.Buckets()}"));
        }

        long probes = 0;
        long buckets = 0;
        long rules = 0;
        foreach (var key in traffic)
        {
            int best = int.MaxValue;
            for (int i = 0; i < _tableCount && _tables[i].MinPriority < best; i++)
            {
                probes++;
                int bucket = _tables[i].BucketCount(key);
                buckets += bucket > 0 ? 1 : 0;
                rules += bucket;
                _tables[i].Find(key, 0, ref best);
            }
        }

        double n = Math.Max(1, traffic.Length);
        text.Append(System.FormattableString.Invariant(
            $"  per lookup: {probes / n:F2} tables probed, {buckets / n:F2} buckets found holding {rules / n:F1} rules"));
        return text.ToString();
    }

    // A classifier that shares this one's tables; from now on neither changes a shared table, but a copy of it.
    private TupleClassifier Share()
    {
        _copied = new HashSet<TupleTable>(ReferenceEqualityComparer.Instance);
        return new TupleClassifier
        {
            _tables = (TupleTable[])_tables.Clone(),
            _tableCount = _tableCount,
            _count = _count,
            _copied = new HashSet<TupleTable>(ReferenceEqualityComparer.Instance),
        };
    }

    // The table at "index", to change: copied first when it may be shared with another classifier.
    private TupleTable Own(int index)
    {
        var table = _tables[index];
        if (_copied is null || _copied.Contains(table))
        {
            return table;
        }

        table = table.Copy();
        _tables[index] = table;
        _copied.Add(table);
        return table;
    }

    private TupleTable Choose(in RuleBox rule)
    {
        int source = RuleBox.PrefixLength(rule.SourceMask);
        int destination = RuleBox.PrefixLength(rule.DestinationMask);
        TupleTable? chosen = null;
        for (int i = 0; i < _tableCount; i++)
        {
            var table = _tables[i];
            if (table.SourceLength <= source && table.DestinationLength <= destination
                && (chosen is null || table.SourceLength + table.DestinationLength > chosen.SourceLength + chosen.DestinationLength)
                && table.BucketCount(rule) < CollisionLimit)
            {
                chosen = table;
            }
        }

        if (chosen is not null)
        {
            return chosen;
        }

        // Every existing table the rule fits is full where the rule would go: make the first missing table of the
        // ladder of relaxations, else take the rule's exact tuple.
        foreach (int step in s_relaxations)
        {
            int relaxedSource = Relax(source, step);
            int relaxedDestination = Relax(destination, step);
            if (Find(relaxedSource, relaxedDestination) is null)
            {
                return Create(relaxedSource, relaxedDestination);
            }
        }

        return Find(source, destination) ?? Create(source, destination);
    }

    // The relaxed length of a new table: a multiple of "step" bits, at most 16 for the first table of a rule. Coarse
    // tables mean few probes per lookup, and their larger buckets are cheap to scan eight boxes at a time (measured on
    // ClassBench against 0/16/32, grids of 4 and 8 bits, and collision limits of 64 and 256); a rule whose coarse bucket
    // is full tries 8 bits then 4 (fw1_100k: 45 tables, most of them exact tuples, before these steps).
    private static int Relax(int length, int step) => Math.Min(length, step == 16 ? 16 : 32) / step * step;

    private TupleTable? Find(int source, int destination)
    {
        for (int i = 0; i < _tableCount; i++)
        {
            if (_tables[i].SourceLength == source && _tables[i].DestinationLength == destination)
            {
                return _tables[i];
            }
        }

        return null;
    }

    private TupleTable Create(int source, int destination)
    {
        var table = new TupleTable(source, destination);
        if (_tableCount == _tables.Length)
        {
            Array.Resize(ref _tables, _tableCount * 2);
        }

        _tables[_tableCount++] = table;
        _copied?.Add(table);
        return table;
    }
}
