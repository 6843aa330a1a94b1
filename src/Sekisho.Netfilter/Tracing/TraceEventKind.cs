namespace Sekisho.Netfilter.Tracing;

/// <summary>The kinds of steps a trace records.</summary>
public enum TraceEventKind : byte
{
    /// <summary>A packet entered the host.</summary>
    Entered,

    /// <summary>A hook starts.</summary>
    Hook,

    /// <summary>A table starts walking its chain for the hook.</summary>
    Table,

    /// <summary>An entry did not match.</summary>
    Missed,

    /// <summary>An entry matched (and counted the packet); its target acts next.</summary>
    Matched,

    /// <summary>The target of a matched entry decided.</summary>
    EntryVerdict,

    /// <summary>A table's walk ended.</summary>
    TableVerdict,

    /// <summary>A routing decision.</summary>
    Routing,

    /// <summary>Connection tracking.</summary>
    Conntrack,

    /// <summary>A log line.</summary>
    Log,

    /// <summary>A packet generated in answer (REJECT, echo reply, ICMP error).</summary>
    Reply,

    /// <summary>Delivered to the host.</summary>
    Delivered,

    /// <summary>Left through a device.</summary>
    Transmitted,

    /// <summary>Dropped.</summary>
    Dropped,

    /// <summary>Held (a fragment).</summary>
    Held,

    /// <summary>Translated by a nat hook: the tuple before and after.</summary>
    Nat,
}
