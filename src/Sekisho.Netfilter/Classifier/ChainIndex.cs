using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Classifier;

/// <summary>The classifiers of a compiled table, one per chain long enough to need one, keyed by entry index.</summary>
/// <remarks>
/// A chain's classifier holds its rule entries with their entry index as priority, so "the next entry the walk
/// must look at, from entry <c>i</c>" is the chain's first candidate at or after <c>i</c>, or the chain's RETURN or
/// policy entry when there is none. The walk checks every candidate exactly, as the linear walk does; skipped entries
/// are those whose indexed criteria cannot hold for the packet, which the linear walk would also have missed
/// without side effects.
/// </remarks>
internal sealed class ChainIndex
{
    /// <summary>The fewest rules for which <see cref="ClassifierMode.Auto"/> builds a chain's classifier.</summary>
    internal const int AutoThreshold = 24;

    private readonly int[] _chainOf;
    private readonly int[] _tail;
    private readonly TupleClassifier?[] _classifiers;

    private ChainIndex(int[] chainOf, int[] tail, TupleClassifier?[] classifiers)
    {
        _chainOf = chainOf;
        _tail = tail;
        _classifiers = classifiers;
    }

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

    /// <summary>Builds the classifiers of the chains that <paramref name="mode"/> asks for; null when there are none.</summary>
    internal static ChainIndex? Build(CompiledEntry[] entries, ClassifierMode mode)
    {
        if (mode == ClassifierMode.Linear)
        {
            return null;
        }

        int threshold = mode == ClassifierMode.Always ? 1 : AutoThreshold;
        var chainOf = new int[entries.Length];
        var tails = new List<int>();
        var classifiers = new List<TupleClassifier?>();
        var boxes = new List<RuleBox>();
        bool any = false;
        for (int i = 0; i < entries.Length; i++)
        {
            chainOf[i] = tails.Count;
            if (entries[i].Role == EntryRole.Rule)
            {
                boxes.Add(EntryBoxes.Of(entries[i], i));
                continue;
            }

            tails.Add(i);
            if (boxes.Count >= threshold)
            {
                classifiers.Add(TupleClassifier.Build(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(boxes)));
                any = true;
            }
            else
            {
                classifiers.Add(null);
            }

            boxes.Clear();
        }

        return any ? new ChainIndex(chainOf, [.. tails], [.. classifiers]) : null;
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

        int next = classifier.FirstCandidate(key, index);
        return next == int.MaxValue ? _tail[chain] : next;
    }
}
