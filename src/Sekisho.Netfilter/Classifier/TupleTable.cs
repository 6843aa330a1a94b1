using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// One table of the tuple space: the rules whose source and destination prefixes are at least as long as the
/// table's, hashed on the packet's address bits under the table's masks.
/// </summary>
/// <remarks>
/// Open addressing with linear probing over an array of keys (the masked address pairs, eight to a cache line, so
/// that a probe that misses, the usual outcome, reads only keys) beside an array of buckets at the same indices (rule
/// count, the first rule inline, the others in <see cref="BoxLanes"/>); a bucket holds the rules of that pair sorted
/// by priority, each checked in full (a table's masks may be shorter than its rules' prefixes, as TupleMerge relaxes
/// them). A bucket emptied by deletions keeps its key, so probing never needs tombstones; the next
/// growth drops it.
/// </remarks>
internal sealed class TupleTable
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    // Tables of at least this many slots (56 bytes each with the key: about 230 kB) are prefetched; smaller ones stay in the
    // caches, where the hash computed twice costs more than it saves (measured on ClassBench: 10k sets gain from
    // prefetching none, 100k sets from prefetching their large tables).
    private const int PrefetchSlots = 4096;

    // No key of a rule is this one except 255.255.255.255/32 to 255.255.255.255/32, whose bucket is the extra slot
    // at the end of _slots (so probing needs no flag beside the keys).
    private const ulong Empty = ulong.MaxValue;

    private readonly bool _sharedLanes;
    private ulong[] _keys;
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
        _keys = NewKeys(8);
        _slots = new Slot[9];
        _mask = 7;
        _shift = 61;
    }

    // A copy sharing the buckets' lane arrays with "other" (each copied before its first change here).
    private TupleTable(TupleTable other)
        : this(other.SourceLength, other.DestinationLength)
    {
        _keys = (ulong[])other._keys.Clone();
        _slots = (Slot[])other._slots.Clone();
        _mask = other._mask;
        _shift = other._shift;
        _used = other._used;
        _sharedLanes = true;
        Rules = other.Rules;
        MinPriority = other.MinPriority;
        MaxPriority = other.MaxPriority;
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
            long bytes = 64 + 48 + _keys.Length * 8L + _slots.Length * (long)Unsafe.SizeOf<Slot>();
            foreach (var slot in _slots)
            {
                if (slot.More is not null)
                {
                    bytes += BoxLanes.Bytes(slot.More);
                }
            }

            return bytes;
        }
    }

    /// <summary>For the benchmark tool: the buckets, the largest, the slots.</summary>
    internal string Buckets()
    {
        int buckets = 0;
        int largest = 0;
        foreach (var slot in _slots)
        {
            buckets += slot.Count > 0 ? 1 : 0;
            largest = Math.Max(largest, slot.Count);
        }

        return $"{buckets} buckets (largest {largest}), {_keys.Length} slots";
    }

    /// <summary>
    /// A copy to change while this one stays as it is: the key and slot arrays are copied, a bucket's lane array only
    /// when the copy changes that bucket.
    /// </summary>
    internal TupleTable Copy() => new(this);

    /// <summary>Whether the table holds <paramref name="rule"/> (the same box and priority).</summary>
    internal bool Holds(in RuleBox rule)
    {
        int slot = FindSlot(Key(rule.Source, rule.Destination));
        if (slot < 0 || _slots[slot].Count == 0)
        {
            return false;
        }

        ref var entry = ref _slots[slot];
        if (entry.First.Same(rule))
        {
            return true;
        }

        int rest = entry.Count - 1;
        int at = rest == 0 ? 0 : BoxLanes.Position(entry.More!, rest, rule.Priority);
        return at < rest && BoxLanes.Get(entry.More!, at).Same(rule);
    }

    /// <summary>How many rules share the packet's bucket.</summary>
    internal int BucketCount(in PacketKey key)
    {
        int slot = FindSlot(Key(key.Source, key.Destination));
        return slot < 0 ? 0 : _slots[slot].Count;
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
            if ((_used + 1) * 2 > _keys.Length)
            {
                Grow();
            }

            slot = (int)((key * Golden) >> _shift);
            while (_keys[slot] != Empty)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = key;
            _slots[slot] = default;
            _used++;
        }

        ref var entry = ref _slots[slot];
        OwnLanes(ref entry);
        int count = entry.Count;
        if (count == 0)
        {
            entry.First = rule;
        }
        else if (rule.Priority < entry.First.Priority)
        {
            // The bucket is First followed by More's count - 1 boxes, in priority order.
            entry.More = BoxLanes.Insert(entry.More, count - 1, 0, entry.First);
            entry.First = rule;
        }
        else
        {
            int at = entry.More is null ? 0 : BoxLanes.Position(entry.More, count - 1, rule.Priority);
            entry.More = BoxLanes.Insert(entry.More, count - 1, at, rule);
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
        OwnLanes(ref entry);
        int rest = entry.Count - 1;
        var more = entry.More;
        if (entry.First.Same(rule))
        {
            if (rest > 0)
            {
                entry.First = BoxLanes.Get(more!, 0);
                BoxLanes.RemoveAt(more!, rest, 0);
            }
        }
        else
        {
            int at = rest == 0 ? 0 : BoxLanes.Position(more!, rest, rule.Priority);
            if (at == rest || !BoxLanes.Get(more!, at).Same(rule))
            {
                return false;
            }

            BoxLanes.RemoveAt(more!, rest, at);
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
        ref ulong keys = ref MemoryMarshal.GetArrayDataReference(_keys);
        if (k == Empty)
        {
            slot = _mask + 1;
        }
        else
        {
            // Probe the keys alone (eight to a cache line): a miss, the usual outcome, never touches a slot.
            while (true)
            {
                ulong probe = Unsafe.Add(ref keys, slot);
                if (probe == k)
                {
                    break;
                }

                if (probe == Empty)
                {
                    return;
                }

                slot = (slot + 1) & _mask;
            }
        }

        ref var entry = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), slot);
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
            BoxLanes.Scan(more, entry.Count - 1, key, from, ref best);
        }
    }

    /// <summary>
    /// Asks the processor to fetch the slot the packet hashes to, so that the probes of several tables wait for
    /// memory together rather than one after another (a hint: wrong or stale addresses cost nothing).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal unsafe void Prefetch(in PacketKey key)
    {
        if (Sse.IsSupported && _keys.Length >= PrefetchSlots)
        {
            int slot = (int)((Key(key.Source, key.Destination) * Golden) >> _shift);
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_keys), slot)));
            Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_slots), slot)));
        }
    }

    // A copied table copies a bucket's lane array before changing it: the table it was copied from still reads it.
    private void OwnLanes(ref Slot entry)
    {
        if (_sharedLanes && entry.More is { } more)
        {
            entry.More = (uint[])more.Clone();
        }
    }

    private ulong Key(uint source, uint destination) =>
        ((ulong)(source & SourceMask) << 32) | (destination & DestinationMask);

    private int FindSlot(ulong key)
    {
        if (key == Empty)
        {
            return _mask + 1;
        }

        int slot = (int)((key * Golden) >> _shift);
        while (_keys[slot] != Empty)
        {
            if (_keys[slot] == key)
            {
                return slot;
            }

            slot = (slot + 1) & _mask;
        }

        return -1;
    }

    private static ulong[] NewKeys(int length)
    {
        var keys = new ulong[length];
        Array.Fill(keys, Empty);
        return keys;
    }

    private void Grow()
    {
        var oldKeys = _keys;
        var oldSlots = _slots;
        _keys = NewKeys(oldKeys.Length * 2);
        _slots = new Slot[_keys.Length + 1];
        _slots[_keys.Length] = oldSlots[oldKeys.Length];
        _mask = _keys.Length - 1;
        _shift--;
        _used = 0;
        for (int i = 0; i < oldKeys.Length; i++)
        {
            if (oldKeys[i] == Empty || oldSlots[i].Count == 0)
            {
                continue;
            }

            int slot = (int)((oldKeys[i] * Golden) >> _shift);
            while (_keys[slot] != Empty)
            {
                slot = (slot + 1) & _mask;
            }

            _keys[slot] = oldKeys[i];
            _slots[slot] = oldSlots[i];
            _used++;
        }
    }

    // A bucket (its key is at the same index of _keys): the count, the first rule inline (most buckets hold one), the rest.
    private struct Slot
    {
        public int Count;
        public RuleBox First;
        public uint[]? More;
    }
}
