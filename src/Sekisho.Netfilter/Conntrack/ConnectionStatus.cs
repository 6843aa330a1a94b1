namespace Sekisho.Netfilter.Conntrack;

/// <summary>The status bits of a connection.</summary>
/// <remarks>The kernel's <c>enum ip_conntrack_status</c> (<c>IPS_*</c>), which the conntrack match tests with <c>--ctstatus</c>.</remarks>
[Flags]
public enum ConnectionStatus : uint
{
    /// <summary>No bit.</summary>
    None = 0,

    /// <summary><c>IPS_EXPECTED</c>: the connection was expected by a helper.</summary>
    Expected = 1 << 0,

    /// <summary><c>IPS_SEEN_REPLY</c>: packets have been seen in both directions.</summary>
    SeenReply = 1 << 1,

    /// <summary><c>IPS_ASSURED</c>: the connection will not be early-dropped.</summary>
    Assured = 1 << 2,

    /// <summary><c>IPS_CONFIRMED</c>: the original packet left the box and the entry is in the table.</summary>
    Confirmed = 1 << 3,

    /// <summary><c>IPS_SRC_NAT</c>: the source is rewritten.</summary>
    SourceNat = 1 << 4,

    /// <summary><c>IPS_DST_NAT</c>: the destination is rewritten.</summary>
    DestinationNat = 1 << 5,

    /// <summary><c>IPS_SEQ_ADJUST</c>: TCP sequence numbers are adjusted.</summary>
    SequenceAdjust = 1 << 6,

    /// <summary><c>IPS_SRC_NAT_DONE</c>: the source NAT binding is set up.</summary>
    SourceNatDone = 1 << 7,

    /// <summary><c>IPS_DST_NAT_DONE</c>: the destination NAT binding is set up.</summary>
    DestinationNatDone = 1 << 8,

    /// <summary><c>IPS_DYING</c>: the connection is being destroyed.</summary>
    Dying = 1 << 9,

    /// <summary><c>IPS_FIXED_TIMEOUT</c>: the timeout does not change.</summary>
    FixedTimeout = 1 << 10,

    /// <summary><c>IPS_TEMPLATE</c>: a template (CT target).</summary>
    Template = 1 << 11,

    /// <summary><c>IPS_NAT_CLASH</c> (formerly <c>IPS_UNTRACKED</c>).</summary>
    NatClash = 1 << 12,

    /// <summary><c>IPS_HELPER</c>: a helper was assigned explicitly.</summary>
    Helper = 1 << 13,

    /// <summary><c>IPS_OFFLOAD</c>.</summary>
    Offload = 1 << 14,

    /// <summary><c>IPS_HW_OFFLOAD</c>.</summary>
    HardwareOffload = 1 << 15,
}
