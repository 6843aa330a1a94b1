using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Classifier;

/// <summary>The classifier of one chain: its rules as boxes, numbered so that one rule can be inserted without renumbering the others.</summary>
/// <remarks>
/// A chain built from scratch numbers its rules <c>position × 1024</c>, so a priority gives its position by a shift.
/// An inserted rule takes the midpoint of its neighbours' priorities; once a chain has been edited, the priorities of
/// its positions are kept in a sorted array and a priority's position is found by binary search. When two neighbours
/// leave no room (eleven insertions at the same place), the chain is built again. Nothing here changes once made: an
/// edit makes a new <see cref="ChainClassifier"/> that shares all but one tuple table with this one.
/// </remarks>
internal sealed class ChainClassifier
{
    private const int GapBits = 10;

    private readonly TupleClassifier _classifier;

    // The priority of each position, or null while priority = position << GapBits.
    private readonly int[]? _priorities;

    private ChainClassifier(TupleClassifier classifier, int[]? priorities, int count)
    {
        _classifier = classifier;
        _priorities = priorities;
        Count = count;
    }

    /// <summary>The number of rules.</summary>
    internal int Count { get; }

    /// <summary>The bytes the classifier holds.</summary>
    internal long MemoryBytes => _classifier.MemoryBytes + (_priorities?.Length ?? 0) * 4L;

    /// <summary>The classifier of the rule entries <c>entries[start .. start + count)</c>.</summary>
    internal static ChainClassifier Build(CompiledEntry[] entries, int start, int count)
    {
        // Past a million rules the gaps would overflow an int: such a chain is numbered 0, 1, 2, ... and built again
        // on every insertion.
        bool gapped = count < 1 << 20;
        var boxes = new RuleBox[count];
        for (int i = 0; i < count; i++)
        {
            boxes[i] = EntryBoxes.Of(entries[start + i], gapped ? i << GapBits : i);
        }

        return new ChainClassifier(TupleClassifier.Build(boxes), gapped ? null : [.. Enumerable.Range(0, count)], count);
    }

    /// <summary>The position of the first rule at or after <paramref name="position"/> whose box holds the packet, or -1.</summary>
    internal int Next(in PacketKey key, int position)
    {
        if (position >= Count)
        {
            return -1;
        }

        int best = _classifier.FirstCandidate(key, Priority(position));
        if (best == int.MaxValue)
        {
            return -1;
        }

        return _priorities is null ? best >> GapBits : Array.BinarySearch(_priorities, best);
    }

    /// <summary>This chain with <paramref name="entry"/> inserted at <paramref name="position"/>; null when there is no room.</summary>
    internal ChainClassifier? WithInserted(int position, CompiledEntry entry)
    {
        if (Count == 0)
        {
            return null;
        }

        long below = position > 0 ? Priority(position - 1) : Priority(0) - (2L << GapBits);
        long above = position < Count ? Priority(position) : Priority(Count - 1) + (2L << GapBits);
        if (above - below < 2 || below <= int.MinValue / 2 || above >= int.MaxValue / 2)
        {
            return null;
        }

        int priority = (int)(below + (above - below) / 2);
        var priorities = new int[Count + 1];
        for (int i = 0; i < Count; i++)
        {
            priorities[i < position ? i : i + 1] = Priority(i);
        }

        priorities[position] = priority;
        return new ChainClassifier(_classifier.WithInserted(EntryBoxes.Of(entry, priority)), priorities, Count + 1);
    }

    /// <summary>This chain without the rule <paramref name="entry"/> at <paramref name="position"/>; null when it is not there.</summary>
    internal ChainClassifier? WithRemoved(int position, CompiledEntry entry)
    {
        if (_classifier.WithRemoved(EntryBoxes.Of(entry, Priority(position))) is not { } classifier)
        {
            return null;
        }

        var priorities = new int[Count - 1];
        for (int i = 0; i < Count; i++)
        {
            if (i != position)
            {
                priorities[i < position ? i : i - 1] = Priority(i);
            }
        }

        return new ChainClassifier(classifier, priorities, Count - 1);
    }

    /// <summary>This chain with <paramref name="entry"/> in place of <paramref name="old"/> at <paramref name="position"/>; null when it is not there.</summary>
    internal ChainClassifier? WithReplaced(int position, CompiledEntry old, CompiledEntry entry)
    {
        int priority = Priority(position);
        return _classifier.WithReplaced(EntryBoxes.Of(old, priority), EntryBoxes.Of(entry, priority)) is { } classifier
            ? new ChainClassifier(classifier, _priorities, Count)
            : null;
    }

    private int Priority(int position) => _priorities is null ? position << GapBits : _priorities[position];
}
