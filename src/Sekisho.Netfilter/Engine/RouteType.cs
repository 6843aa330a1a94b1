namespace Sekisho.Netfilter.Engine;

/// <summary>The type of a route, and of an address as the routing tables classify it.</summary>
/// <remarks>The kernel's <c>RTN_*</c> values, which the addrtype match tests as bits (<c>1 &lt;&lt; type</c>).</remarks>
public enum RouteType : byte
{
    /// <summary><c>RTN_UNSPEC</c>.</summary>
    Unspecified = 0,

    /// <summary><c>RTN_UNICAST</c>: a gateway or direct route.</summary>
    Unicast = 1,

    /// <summary><c>RTN_LOCAL</c>: an address of this host.</summary>
    Local = 2,

    /// <summary><c>RTN_BROADCAST</c>: a broadcast address, delivered locally and sent as broadcast.</summary>
    Broadcast = 3,

    /// <summary><c>RTN_ANYCAST</c>.</summary>
    Anycast = 4,

    /// <summary><c>RTN_MULTICAST</c>.</summary>
    Multicast = 5,

    /// <summary><c>RTN_BLACKHOLE</c>: silently discarded.</summary>
    Blackhole = 6,

    /// <summary><c>RTN_UNREACHABLE</c>: no route.</summary>
    Unreachable = 7,

    /// <summary><c>RTN_PROHIBIT</c>: administratively prohibited.</summary>
    Prohibit = 8,

    /// <summary><c>RTN_THROW</c>.</summary>
    Throw = 9,

    /// <summary><c>RTN_NAT</c>.</summary>
    Nat = 10,

    /// <summary><c>RTN_XRESOLVE</c>.</summary>
    ExternalResolve = 11,
}
