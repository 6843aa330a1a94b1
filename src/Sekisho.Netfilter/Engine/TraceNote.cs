namespace Sekisho.Netfilter.Engine;

/// <summary>The kinds of events a tracer hears about besides rules.</summary>
public enum TraceNote : byte
{
    /// <summary>The packet entered the host (received, or sent by the host).</summary>
    Entered,

    /// <summary>A hook starts.</summary>
    Hook,

    /// <summary>A routing decision.</summary>
    Routing,

    /// <summary>Connection tracking attached the packet to a connection (or did not).</summary>
    Conntrack,

    /// <summary>A log line was written.</summary>
    Log,

    /// <summary>The packet caused another packet to be sent (REJECT, an echo reply, an ICMP error).</summary>
    Reply,

    /// <summary>The packet was delivered to the host.</summary>
    Delivered,

    /// <summary>The packet left through a device.</summary>
    Transmitted,

    /// <summary>The packet was dropped.</summary>
    Dropped,

    /// <summary>The packet is held (a fragment waiting for the rest of its datagram).</summary>
    Held,

    /// <summary>A nat hook translated the packet: the tuple before and after.</summary>
    Nat,
}
