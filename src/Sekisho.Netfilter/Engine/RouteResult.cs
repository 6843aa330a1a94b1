using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>The result of a route lookup: the type, the device, the next hop and the source address to use.</summary>
public readonly record struct RouteResult(RouteType Type, NetDevice? Device, Ipv4Address NextHop, Ipv4Address Source)
{
    /// <summary>No route.</summary>
    public static RouteResult Unreachable => new(RouteType.Unreachable, null, default, default);
}
