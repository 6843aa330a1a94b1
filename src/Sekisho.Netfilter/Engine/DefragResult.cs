namespace Sekisho.Netfilter.Engine;

/// <summary>What reassembly did with a fragment.</summary>
public enum DefragResult : byte
{
    /// <summary>The fragment completed its datagram: the packet now holds the whole datagram.</summary>
    Complete,

    /// <summary>The fragment is queued until the rest of its datagram arrives.</summary>
    Held,

    /// <summary>The fragment was discarded (a duplicate, an overlap, inconsistent lengths, no memory, an oversized datagram).</summary>
    Dropped,
}
