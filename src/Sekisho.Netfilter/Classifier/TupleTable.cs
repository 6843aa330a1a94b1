namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// One table of the tuple space: the rules whose source and destination prefixes are at least as long as the
/// table's, hashed on the packet's address bits under the table's masks.
/// </summary>
/// <remarks>
/// Open addressing with linear probing; a slot holds the masked address pair and a bucket, the rules of that pair
/// sorted by priority, each a 32-byte <see cref="RuleBox"/> checked in full (a table's masks may be shorter than
/// its rules' prefixes, as TupleMerge relaxes them). A bucket emptied by deletions keeps its slot, so probing never
/// needs tombstones; the next growth drops it.
/// </remarks>
internal sealed class TupleTable
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private ulong[] _keys;
    private RuleBox[]?[] _items;
    private int[] _counts;
    private int _mask;
    private int _shift;
    private int _used;

    internal TupleTable(int sourceLength, int destinationLength)
    {
        SourceLength = sourceLength;
        DestinationLength = destinationLength;
        SourceMask = RuleBox.PrefixMask(sourceLength);
        DestinationMask = RuleBox.PrefixMask(destinationLength);
        _keys = new ulong[8];
        _items = new RuleBox[8][];
        _counts = new int[8];
        _mask = 7;
        _shift = 61;
    }

    internal int SourceLength { get; }

    internal int DestinationLength { get; }

    internal uint SourceMask { get; }

    internal uint DestinationMask { get; }

    /// <summary>No rule of the table has a lower priority (a bound: deletions do not raise it).</summary>
    internal int MinPriority { get; private set; } = int.MaxValue;

    /// <summary>No rule of the table has a higher priority (a bound: deletions do not lower it).</summary>
    internal int MaxPriority { get; private set; } = int.MinValue;

    /// <summary>The number of rules.</summary>
    internal int Rules { get; private set; }

    /// <summary>The bytes the table holds (arrays and buckets).</summary>
    internal long MemoryBytes
    {
        get
        {
            long bytes = 64 + 3 * 24 + _keys.Length * (8L + 8 + 4);
            foreach (var items in _items)
            {
                if (items is not null)
                {
                    bytes += 24 + items.Length * 32L;
                }
            }

            return bytes;
        }
    }

    /// <summary>How many rules share <paramref name="rule"/>'s bucket.</summary>
    internal int BucketCount(in RuleBox rule)
    {
        int slot = FindSlot(Key(rule.Source, rule.Destination));
        return slot < 0 ? 0 : _counts[slot];
    }

    /// <summary>Adds a rule, keeping its bucket in priority order.</summary>
    internal void Add(in RuleBox rule)
    {
        ulong key = Key(rule.Source, rule.Destination);
        int slot = FindSlot(key);
        if (slot < 0)
        {
            if ((_used + 1) * 2 > _keys.Length)
            {
                Grow();
            }

            slot = (int)((key * Golden) >> _shift);
            while (_items[slot] is not null)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _items[slot] = new RuleBox[2];
            _used++;
        }

        var items = _items[slot]!;
        int count = _counts[slot];
        if (count == items.Length)
        {
            Array.Resize(ref items, count * 2);
            _items[slot] = items;
        }

        int at = count;
        while (at > 0 && items[at - 1].Priority > rule.Priority)
        {
            items[at] = items[at - 1];
            at--;
        }

        items[at] = rule;
        _counts[slot] = count + 1;
        Rules++;
        MinPriority = Math.Min(MinPriority, rule.Priority);
        MaxPriority = Math.Max(MaxPriority, rule.Priority);
    }

    /// <summary>Removes the rule of <paramref name="rule"/>'s priority from its bucket; false when it is not there.</summary>
    internal bool Remove(in RuleBox rule)
    {
        int slot = FindSlot(Key(rule.Source, rule.Destination));
        if (slot < 0)
        {
            return false;
        }

        var items = _items[slot]!;
        int count = _counts[slot];
        for (int i = 0; i < count; i++)
        {
            if (items[i].Priority == rule.Priority)
            {
                Array.Copy(items, i + 1, items, i, count - i - 1);
                _counts[slot] = count - 1;
                Rules--;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Lowers <paramref name="best"/> to the priority of the first rule of the table, at or after
    /// <paramref name="from"/>, whose box holds the packet.
    /// </summary>
    internal void Find(in PacketKey key, int from, ref int best)
    {
        ulong k = Key(key.Source, key.Destination);
        int slot = (int)((k * Golden) >> _shift);
        var keys = _keys;
        var all = _items;
        while (true)
        {
            var items = all[slot];
            if (items is null)
            {
                return;
            }

            if (keys[slot] == k)
            {
                int count = _counts[slot];
                for (int i = 0; i < count && i < items.Length; i++)
                {
                    ref readonly var rule = ref items[i];
                    if (rule.Priority < from)
                    {
                        continue;
                    }

                    if (rule.Priority >= best)
                    {
                        return;
                    }

                    if (rule.Contains(key))
                    {
                        best = rule.Priority;
                        return;
                    }
                }

                return;
            }

            slot = (slot + 1) & _mask;
        }
    }

    private ulong Key(uint source, uint destination) =>
        ((ulong)(source & SourceMask) << 32) | (destination & DestinationMask);

    private int FindSlot(ulong key)
    {
        int slot = (int)((key * Golden) >> _shift);
        while (_items[slot] is not null)
        {
            if (_keys[slot] == key)
            {
                return slot;
            }

            slot = (slot + 1) & _mask;
        }

        return -1;
    }

    private void Grow()
    {
        var keys = _keys;
        var items = _items;
        var counts = _counts;
        int capacity = keys.Length * 2;
        _keys = new ulong[capacity];
        _items = new RuleBox[capacity][];
        _counts = new int[capacity];
        _mask = capacity - 1;
        _shift--;
        _used = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (items[i] is null || counts[i] == 0)
            {
                continue;
            }

            int slot = (int)((keys[i] * Golden) >> _shift);
            while (_items[slot] is not null)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = keys[i];
            _items[slot] = items[i];
            _counts[slot] = counts[i];
            _used++;
        }
    }
}
