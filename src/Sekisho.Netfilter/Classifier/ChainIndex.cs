using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Classifier;

/// <summary>The classifiers of a compiled table, one per chain long enough to need one.</summary>
/// <remarks>
/// <para>
/// A chain's classifier holds its rule entries with their position in the chain as priority, so "the next entry
/// the walk must look at, from entry <c>i</c>" is the chain's first candidate at or after <c>i - start</c>, or the
/// chain's RETURN or policy entry when there is none. The walk checks every candidate exactly, as the linear walk
/// does; skipped entries are those whose indexed criteria cannot hold for the packet, which the linear walk would
/// also have missed without side effects.
/// </para>
/// <para>
/// Positions relative to the chain make a chain's classifier independent of the chains laid out before it, so a
/// table compiled again after an edit takes over the previous table's classifiers: a chain whose rules are the
/// same <see cref="Model.Rule"/> objects keeps its classifier as it is, a chain with one rule inserted, deleted or
/// replaced gets a copy with that one change (<see cref="TupleClassifier.WithInserted"/>,
/// <see cref="TupleClassifier.WithRemoved"/>, <see cref="TupleClassifier.WithReplaced"/>),
/// and only other chains are built anew. Classifiers are never changed once built, so the old table goes on
/// working, whole, until the new one replaces it.
/// </para>
/// </remarks>
internal sealed class ChainIndex
{
    /// <summary>The fewest rules for which <see cref="ClassifierMode.Auto"/> builds a chain's classifier.</summary>
    internal const int AutoThreshold = 24;

    // Indices of the counts of ClassifierUpdates while a table is compiled.
    private const int Kept = 0;
    private const int Changed = 1;
    private const int Built = 2;

    private readonly int[] _chainOf;
    private readonly int[] _start;
    private readonly int[] _tail;
    private readonly ChainClassifier?[] _classifiers;

    private ChainIndex(int[] chainOf, int[] start, int[] tail, ChainClassifier?[] classifiers, ClassifierUpdates updates)
    {
        _chainOf = chainOf;
        _start = start;
        _tail = tail;
        _classifiers = classifiers;
        Updates = updates;
    }

    /// <summary>How the table's classifiers came about: kept, changed by one rule, or built.</summary>
    internal ClassifierUpdates Updates { get; }

    /// <summary>The bytes of every classifier of the table.</summary>
    internal long MemoryBytes
    {
        get
        {
            long bytes = _chainOf.Length * 4L;
            foreach (var classifier in _classifiers)
            {
                bytes += classifier?.MemoryBytes ?? 0;
            }

            return bytes;
        }
    }

    /// <summary>
    /// Builds the classifiers of the chains that <paramref name="mode"/> asks for, taking over those of
    /// <paramref name="previous"/> (the same table before an edit) where a chain's rules allow; null when there are none.
    /// </summary>
    internal static ChainIndex? Build(CompiledEntry[] entries, ClassifierMode mode, CompiledTable? previous = null)
    {
        if (mode == ClassifierMode.Linear)
        {
            return null;
        }

        int threshold = mode == ClassifierMode.Always ? 1 : AutoThreshold;
        var old = previous?.Index?.ChainsByName(previous.Laid);
        var chainOf = new int[entries.Length];
        var starts = new List<int>();
        var tails = new List<int>();
        var classifiers = new List<ChainClassifier?>();
        var updates = new int[3];
        int start = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            chainOf[i] = tails.Count;
            if (entries[i].Role == EntryRole.Rule)
            {
                continue;
            }

            starts.Add(start);
            tails.Add(i);
            ChainClassifier? classifier = null;
            if (i - start >= threshold)
            {
                var before = old is not null && old.TryGetValue(entries[i].Chain, out var chain) ? chain : default;
                classifier = Take(before, entries, start, i, updates);
            }

            classifiers.Add(classifier);
            start = i + 1;
        }

        return updates.Sum() == 0
            ? null
            : new ChainIndex(chainOf, [.. starts], [.. tails], [.. classifiers],
                new ClassifierUpdates(updates[Kept], updates[Changed], updates[Built]));
    }

    /// <summary>
    /// The packet's key, when the classifier may be used for it: ports readable for TCP and UDP (a first fragment
    /// with the whole header), so that skipping a port criterion never skips a hot drop.
    /// </summary>
    internal static bool TryKey(PacketContext context, uint source, uint destination, byte protocol, out PacketKey key)
    {
        ushort sourcePort = 0;
        ushort destinationPort = 0;
        if (protocol is 6 or 17)
        {
            if (context.FragmentOffset != 0 || !context.TryRead(context.TransportOffset, protocol == 6 ? 20 : 8, out var ports))
            {
                key = default;
                return false;
            }

            sourcePort = BinaryPrimitives.ReadUInt16BigEndian(ports);
            destinationPort = BinaryPrimitives.ReadUInt16BigEndian(ports[2..]);
        }

        key = new PacketKey(source, destination, protocol, sourcePort, destinationPort);
        return true;
    }

    /// <summary>The first entry at or after <paramref name="index"/> (in the same chain) that the walk must check.</summary>
    internal int Next(int index, in PacketKey key)
    {
        int chain = _chainOf[index];
        var classifier = _classifiers[chain];
        if (classifier is null)
        {
            return index;
        }

        int start = _start[chain];
        int next = classifier.Next(key, index - start);
        return next < 0 ? _tail[chain] : start + next;
    }

    // The classifier of the chain of entries [start, end): the previous one if its rules are the same objects, a copy
    // with one change if one rule was inserted, deleted or replaced, else a new one.
    private static ChainClassifier Take(OldChain before, CompiledEntry[] entries, int start, int end, int[] updates)
    {
        int count = end - start;
        if (before.Classifier is { } classifier)
        {
            var old = before.Entries;
            int oldCount = before.End - before.Start;
            int same = Math.Min(count, oldCount);
            int prefix = 0;
            while (prefix < same && ReferenceEquals(entries[start + prefix].Rule, old[before.Start + prefix].Rule))
            {
                prefix++;
            }

            int suffix = 0;
            while (suffix < same - prefix && ReferenceEquals(entries[end - 1 - suffix].Rule, old[before.End - 1 - suffix].Rule))
            {
                suffix++;
            }

            var changed = (count - oldCount, count - prefix - suffix) switch
            {
                (0, 0) => classifier,
                (0, 1) => classifier.WithReplaced(prefix, old[before.Start + prefix], entries[start + prefix]),
                (1, 1) => classifier.WithInserted(prefix, entries[start + prefix]),
                (-1, 0) => classifier.WithRemoved(prefix, old[before.Start + prefix]),
                _ => null,
            };
            if (changed is not null)
            {
                updates[changed == classifier ? Kept : Changed]++;
                return changed;
            }
        }

        updates[Built]++;
        return ChainClassifier.Build(entries, start, count);
    }

    // The chains that have a classifier, by name, with their entries.
    private Dictionary<string, OldChain> ChainsByName(CompiledEntry[] laid)
    {
        var chains = new Dictionary<string, OldChain>(StringComparer.Ordinal);
        for (int chain = 0; chain < _classifiers.Length; chain++)
        {
            if (_classifiers[chain] is { } classifier)
            {
                chains.Add(laid[_tail[chain]].Chain, new OldChain(laid, _start[chain], _tail[chain], classifier));
            }
        }

        return chains;
    }

    private readonly record struct OldChain(CompiledEntry[] Entries, int Start, int End, ChainClassifier? Classifier);
}
