namespace Sekisho.Netfilter.Conntrack;

/// <summary>How a packet relates to its connection.</summary>
/// <remarks>The kernel's <c>enum ip_conntrack_info</c>, with <c>IP_CT_UNTRACKED</c> (7).</remarks>
public enum CtInfo : byte
{
    /// <summary><c>IP_CT_ESTABLISHED</c>: part of an established connection, original direction.</summary>
    Established = 0,

    /// <summary><c>IP_CT_RELATED</c>: related to an existing connection (an expectation, an ICMP error).</summary>
    Related = 1,

    /// <summary><c>IP_CT_NEW</c>: starts a new connection.</summary>
    New = 2,

    /// <summary><c>IP_CT_ESTABLISHED_REPLY</c>: established, reply direction.</summary>
    EstablishedReply = 3,

    /// <summary><c>IP_CT_RELATED_REPLY</c>: related, reply direction.</summary>
    RelatedReply = 4,

    /// <summary><c>IP_CT_UNTRACKED</c>: conntrack was told not to track it (NOTRACK, CT --notrack).</summary>
    Untracked = 7,
}
