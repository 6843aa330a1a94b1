namespace Sekisho.Netfilter.Conntrack;

/// <summary>The TCP state of a tracked connection.</summary>
/// <remarks>The kernel's <c>enum tcp_conntrack</c>; the names are those <c>conntrack -L</c> prints.</remarks>
public enum TcpConntrackState : byte
{
    /// <summary><c>TCP_CONNTRACK_NONE</c>.</summary>
    None = 0,

    /// <summary><c>TCP_CONNTRACK_SYN_SENT</c>.</summary>
    SynSent = 1,

    /// <summary><c>TCP_CONNTRACK_SYN_RECV</c>.</summary>
    SynRecv = 2,

    /// <summary><c>TCP_CONNTRACK_ESTABLISHED</c>.</summary>
    Established = 3,

    /// <summary><c>TCP_CONNTRACK_FIN_WAIT</c>.</summary>
    FinWait = 4,

    /// <summary><c>TCP_CONNTRACK_CLOSE_WAIT</c>.</summary>
    CloseWait = 5,

    /// <summary><c>TCP_CONNTRACK_LAST_ACK</c>.</summary>
    LastAck = 6,

    /// <summary><c>TCP_CONNTRACK_TIME_WAIT</c>.</summary>
    TimeWait = 7,

    /// <summary><c>TCP_CONNTRACK_CLOSE</c>.</summary>
    Close = 8,

    /// <summary><c>TCP_CONNTRACK_SYN_SENT2</c> (simultaneous open).</summary>
    SynSent2 = 9,

    /// <summary><c>TCP_CONNTRACK_MAX</c>: in the transition table, an invalid packet.</summary>
    Invalid = 10,

    /// <summary><c>TCP_CONNTRACK_IGNORE</c>: in the transition table, a packet let through without a state change.</summary>
    Ignore = 11,

    /// <summary><c>TCP_CONNTRACK_RETRANS</c>: the index of the retransmission timeout.</summary>
    Retrans = 12,

    /// <summary><c>TCP_CONNTRACK_UNACK</c>: the index of the unacknowledged-data timeout.</summary>
    Unack = 13,
}
