namespace Sekisho.Netfilter.Classifier;

/// <summary>The indexable criteria of one rule (a box in the 5-dimensional packet space) and its priority.</summary>
/// <remarks>
/// A criterion the classifier cannot or may not use is a wildcard: mask 0, port range 0-65535. A packet is in the
/// box when <c>(source &amp; SourceMask) == Source</c>, likewise for the destination and the protocol, and each port
/// lies within its range. 32 bytes, so that two boxes share a cache line.
/// </remarks>
public struct RuleBox
{
    /// <summary>The source prefix (already masked).</summary>
    public uint Source;

    /// <summary>The source mask: leading ones.</summary>
    public uint SourceMask;

    /// <summary>The destination prefix (already masked).</summary>
    public uint Destination;

    /// <summary>The destination mask: leading ones.</summary>
    public uint DestinationMask;

    /// <summary>The lowest source port.</summary>
    public ushort SourcePortMin;

    /// <summary>The highest source port.</summary>
    public ushort SourcePortMax;

    /// <summary>The lowest destination port.</summary>
    public ushort DestinationPortMin;

    /// <summary>The highest destination port.</summary>
    public ushort DestinationPortMax;

    /// <summary>The protocol, or 0 with <see cref="ProtocolMask"/> 0 for any.</summary>
    public byte Protocol;

    /// <summary>0xFF for an exact protocol, 0 for any.</summary>
    public byte ProtocolMask;

    /// <summary>The priority: lower comes first (the rule's position in its chain).</summary>
    public int Priority;

    /// <summary>A box that every packet is in.</summary>
    public static RuleBox Any(int priority) => new()
    {
        SourcePortMax = ushort.MaxValue,
        DestinationPortMax = ushort.MaxValue,
        Priority = priority,
    };

    /// <summary>The mask of a prefix of <paramref name="length"/> bits.</summary>
    public static uint PrefixMask(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);

    /// <summary>The number of leading ones of a mask (the prefix the classifier may use for a non-contiguous one).</summary>
    public static int PrefixLength(uint mask) => System.Numerics.BitOperations.LeadingZeroCount(~mask);

    /// <summary>Whether <paramref name="other"/> is the same box with the same priority.</summary>
    public readonly bool Same(in RuleBox other) =>
        Source == other.Source && SourceMask == other.SourceMask && Destination == other.Destination
        && DestinationMask == other.DestinationMask && Protocol == other.Protocol && ProtocolMask == other.ProtocolMask
        && SourcePortMin == other.SourcePortMin && SourcePortMax == other.SourcePortMax
        && DestinationPortMin == other.DestinationPortMin && DestinationPortMax == other.DestinationPortMax
        && Priority == other.Priority;

    /// <summary>Whether the packet <paramref name="key"/> lies in the box.</summary>
    public readonly bool Contains(in PacketKey key) =>
        (key.Source & SourceMask) == Source
        && (key.Destination & DestinationMask) == Destination
        && (key.Protocol & ProtocolMask) == Protocol
        && (uint)(key.SourcePort - SourcePortMin) <= (uint)(SourcePortMax - SourcePortMin)
        && (uint)(key.DestinationPort - DestinationPortMin) <= (uint)(DestinationPortMax - DestinationPortMin);
}
