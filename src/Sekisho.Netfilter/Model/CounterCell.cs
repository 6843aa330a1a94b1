namespace Sekisho.Netfilter.Model;

/// <summary>A packet and byte counter pair, shared by the rule versions that count into it.</summary>
/// <remarks>
/// The kernel's <c>struct xt_counters</c>. A rule that survives a ruleset change keeps its cell, so counting
/// continues across the change, as libiptc maps old counters onto the new table.
/// </remarks>
public sealed class CounterCell
{
    private long _packets;
    private long _bytes;

    /// <summary>Creates a zeroed cell.</summary>
    public CounterCell()
    {
    }

    /// <summary>Creates a cell with the given counts.</summary>
    public CounterCell(ulong packets, ulong bytes)
    {
        _packets = unchecked((long)packets);
        _bytes = unchecked((long)bytes);
    }

    /// <summary>Packets counted.</summary>
    public ulong Packets => unchecked((ulong)Volatile.Read(ref _packets));

    /// <summary>Bytes counted.</summary>
    public ulong Bytes => unchecked((ulong)Volatile.Read(ref _bytes));

    /// <summary>Counts one packet of <paramref name="length"/> bytes.</summary>
    public void Add(int length)
    {
        Interlocked.Increment(ref _packets);
        Interlocked.Add(ref _bytes, length);
    }

    /// <summary>Adds counts (used when merging per-core counters).</summary>
    public void Add(ulong packets, ulong bytes)
    {
        Interlocked.Add(ref _packets, unchecked((long)packets));
        Interlocked.Add(ref _bytes, unchecked((long)bytes));
    }

    /// <summary>Sets both counts.</summary>
    public void Set(ulong packets, ulong bytes)
    {
        Volatile.Write(ref _packets, unchecked((long)packets));
        Volatile.Write(ref _bytes, unchecked((long)bytes));
    }

    /// <summary>A new cell with the same counts.</summary>
    public CounterCell Snapshot() => new(Packets, Bytes);
}
