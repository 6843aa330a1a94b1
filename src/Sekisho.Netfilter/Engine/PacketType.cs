namespace Sekisho.Netfilter.Engine;

/// <summary>How a received frame was addressed at the link layer.</summary>
/// <remarks>The kernel's <c>PACKET_*</c> values of <c>skb-&gt;pkt_type</c>, which the pkttype match reads.</remarks>
public enum PacketType : byte
{
    /// <summary><c>PACKET_HOST</c>: to us.</summary>
    Host = 0,

    /// <summary><c>PACKET_BROADCAST</c>: to all.</summary>
    Broadcast = 1,

    /// <summary><c>PACKET_MULTICAST</c>: to a group.</summary>
    Multicast = 2,

    /// <summary><c>PACKET_OTHERHOST</c>: to someone else.</summary>
    OtherHost = 3,

    /// <summary><c>PACKET_OUTGOING</c>: sent by us.</summary>
    Outgoing = 4,

    /// <summary><c>PACKET_LOOPBACK</c>: looped back.</summary>
    Loopback = 5,
}
