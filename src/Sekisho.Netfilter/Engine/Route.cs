using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>A route of the host model: a destination prefix, its type, the device and the gateway.</summary>
/// <remarks>An entry of the kernel's FIB: <c>ip route add PREFIX [via GATEWAY] dev DEVICE [src ADDRESS]</c>.</remarks>
public sealed record Route(Ipv4Address Destination, int PrefixLength, RouteType Type, NetDevice? Device,
    Ipv4Address Gateway = default, Ipv4Address PreferredSource = default)
{
    /// <summary>The network mask of the prefix.</summary>
    public Ipv4Address Mask => Ipv4Address.MaskFromPrefix(PrefixLength);

    /// <summary>Whether <paramref name="address"/> is inside the prefix.</summary>
    public bool Contains(Ipv4Address address) => (address & Mask) == Destination;
}
