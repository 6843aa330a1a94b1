using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// One table of the tuple space: the rules whose source and destination prefixes are at least as long as the
/// table's, hashed on the packet's address bits under the table's masks.
/// </summary>
/// <remarks>
/// Open addressing with linear probing over one array of slots (masked address pair, rule count, the bucket's
/// first rule inline and an array of the others: one cache line per probe for the usual bucket of one rule); a
/// bucket holds the rules of that pair sorted by priority, each a 32-byte <see cref="RuleBox"/> checked in full (a table's masks may be shorter than its rules' prefixes, as TupleMerge relaxes them). A bucket
/// emptied by deletions keeps its slot, so probing never needs tombstones; the next growth drops it.
/// </remarks>
internal sealed class TupleTable
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    // Tables of at least this many slots (56 bytes each: about 230 kB) are prefetched; smaller ones stay in the
    // caches, where the hash computed twice costs more than it saves (measured on ClassBench: 10k sets gain from
    // prefetching none, 100k sets from prefetching their large tables).
    private const int PrefetchSlots = 4096;

    private Slot[] _slots;
    private int _mask;
    private int _shift;
    private int _used;

    internal TupleTable(int sourceLength, int destinationLength)
    {
        SourceLength = sourceLength;
        DestinationLength = destinationLength;
        SourceMask = RuleBox.PrefixMask(sourceLength);
        DestinationMask = RuleBox.PrefixMask(destinationLength);
        _slots = new Slot[8];
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

    /// <summary>The bytes the table holds (slots and overflow arrays).</summary>
    internal long MemoryBytes
    {
        get
        {
            long bytes = 64 + 24 + _slots.Length * (long)Unsafe.SizeOf<Slot>();
            foreach (var slot in _slots)
            {
                if (slot.More is not null)
                {
                    bytes += 24 + slot.More.Length * 32L;
                }
            }

            return bytes;
        }
    }

    /// <summary>How many rules share <paramref name="rule"/>'s bucket.</summary>
    internal int BucketCount(in RuleBox rule)
    {
        int slot = FindSlot(Key(rule.Source, rule.Destination));
        return slot < 0 ? 0 : _slots[slot].Count;
    }

    /// <summary>Adds a rule, keeping its bucket in priority order.</summary>
    internal void Add(in RuleBox rule)
    {
        ulong key = Key(rule.Source, rule.Destination);
        int slot = FindSlot(key);
        if (slot < 0)
        {
            if ((_used + 1) * 2 > _slots.Length)
            {
                Grow();
            }

            slot = (int)((key * Golden) >> _shift);
            while (_slots[slot].Used)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = new Slot { Key = key, Used = true };
            _used++;
        }

        ref var entry = ref _slots[slot];
        int count = entry.Count;
        if (count == 0)
        {
            entry.First = rule;
        }
        else
        {
            // The bucket is First followed by More[0 .. count - 1), in priority order.
            var more = entry.More ?? new RuleBox[2];
            if (count - 1 == more.Length)
            {
                Array.Resize(ref more, more.Length * 2);
            }

            entry.More = more;
            int at = count - 1;
            while (at > 0 && more[at - 1].Priority > rule.Priority)
            {
                more[at] = more[at - 1];
                at--;
            }

            if (at == 0 && entry.First.Priority > rule.Priority)
            {
                more[0] = entry.First;
                entry.First = rule;
            }
            else
            {
                more[at] = rule;
            }
        }

        entry.Count = count + 1;
        Rules++;
        MinPriority = Math.Min(MinPriority, rule.Priority);
        MaxPriority = Math.Max(MaxPriority, rule.Priority);
    }

    /// <summary>Removes <paramref name="rule"/> (the same box and priority) from its bucket; false when it is not there.</summary>
    internal bool Remove(in RuleBox rule)
    {
        int slot = FindSlot(Key(rule.Source, rule.Destination));
        if (slot < 0 || _slots[slot].Count == 0)
        {
            return false;
        }

        ref var entry = ref _slots[slot];
        int rest = entry.Count - 1;
        var more = entry.More;
        if (entry.First.Same(rule))
        {
            if (rest > 0)
            {
                entry.First = more![0];
                Array.Copy(more, 1, more, 0, rest - 1);
            }
        }
        else
        {
            int i = 0;
            while (i < rest && !more![i].Same(rule))
            {
                i++;
            }

            if (i == rest)
            {
                return false;
            }

            Array.Copy(more!, i + 1, more!, i, rest - i - 1);
        }

        entry.Count = rest;
        Rules--;
        return true;
    }

    /// <summary>
    /// Lowers <paramref name="best"/> to the priority of the first rule of the table, at or after
    /// <paramref name="from"/>, whose box holds the packet.
    /// </summary>
    internal void Find(in PacketKey key, int from, ref int best)
    {
        ulong k = Key(key.Source, key.Destination);
        int slot = (int)((k * Golden) >> _shift);
        ref var slots = ref MemoryMarshal.GetArrayDataReference(_slots);
        while (true)
        {
            ref var entry = ref Unsafe.Add(ref slots, slot);
            if (!entry.Used)
            {
                return;
            }

            if (entry.Key == k)
            {
                if (entry.Count == 0)
                {
                    return;
                }

                int priority = entry.First.Priority;
                if (priority >= from)
                {
                    if (priority >= best)
                    {
                        return;
                    }

                    if (entry.First.Contains(key))
                    {
                        best = priority;
                        return;
                    }
                }

                if (entry.More is { } more)
                {
                    Scan(more, Math.Min(entry.Count - 1, more.Length), key, from, ref best);
                }

                return;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>
    /// Asks the processor to fetch the slot the packet hashes to, so that the probes of several tables wait for
    /// memory together rather than one after another (a hint: wrong or stale addresses cost nothing).
    /// </summary>
    internal unsafe void Prefetch(in PacketKey key)
    {
        if (Sse.IsSupported && _slots.Length >= PrefetchSlots)
        {
            int slot = (int)((Key(key.Source, key.Destination) * Golden) >> _shift);
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), slot)));
        }
    }

    // The overflow of a bucket whose first rule lies before "from".
    private static void Scan(RuleBox[] more, int count, in PacketKey key, int from, ref int best)
    {
        for (int i = 0; i < count; i++)
        {
            int priority = more[i].Priority;
            if (priority < from)
            {
                continue;
            }

            if (priority >= best)
            {
                return;
            }

            if (more[i].Contains(key))
            {
                best = priority;
                return;
            }
        }
    }

    private ulong Key(uint source, uint destination) =>
        ((ulong)(source & SourceMask) << 32) | (destination & DestinationMask);

    private int FindSlot(ulong key)
    {
        int slot = (int)((key * Golden) >> _shift);
        while (_slots[slot].Used)
        {
            if (_slots[slot].Key == key)
            {
                return slot;
            }

            slot = (slot + 1) & _mask;
        }

        return -1;
    }

    private void Grow()
    {
        var old = _slots;
        _slots = new Slot[old.Length * 2];
        _mask = _slots.Length - 1;
        _shift--;
        _used = 0;
        foreach (var entry in old)
        {
            if (entry.Count == 0)
            {
                continue;
            }

            int slot = (int)((entry.Key * Golden) >> _shift);
            while (_slots[slot].Used)
            {
                slot = (slot + 1) & _mask;
            }

            _slots[slot] = entry;
            _used++;
        }
    }

    // One probe's worth: the masked address pair, the bucket's first rule inline (most buckets hold one), the rest.
    private struct Slot
    {
        public ulong Key;
        public int Count;
        public bool Used;
        public RuleBox First;
        public RuleBox[]? More;
    }
}
