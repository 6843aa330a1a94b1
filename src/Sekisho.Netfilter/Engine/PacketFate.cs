namespace Sekisho.Netfilter.Engine;

/// <summary>What finally happened to a packet.</summary>
public enum PacketFate : byte
{
    /// <summary>Delivered to the host (INPUT accepted it).</summary>
    Delivered,

    /// <summary>Forwarded and transmitted.</summary>
    Forwarded,

    /// <summary>Sent by the host and transmitted (or looped back to it).</summary>
    Sent,

    /// <summary>Dropped by a hook (a rule, a policy, conntrack).</summary>
    Dropped,

    /// <summary>Held by a hook: a fragment waiting for the rest of its datagram.</summary>
    Held,

    /// <summary>Not an IPv4 packet for this host at the link layer (another protocol, another host's MAC); netfilter never saw it.</summary>
    Ignored,

    /// <summary>Discarded by the IP input checks before netfilter (bad version, header length, checksum, total length).</summary>
    Malformed,

    /// <summary>Discarded by routing (no route, forwarding off, a martian address, TTL exceeded).</summary>
    Unroutable,
}
