using Sekisho.Packets;

namespace Sekisho.Iptables.State;

/// <summary>A static neighbour of a stored host model (<c>ip neigh add ADDRESS lladdr MAC dev DEVICE</c>).</summary>
public sealed record HostNeighbour(Ipv4Address Address, MacAddress Mac, string Device);
