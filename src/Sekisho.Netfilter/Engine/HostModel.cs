using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>The host around the firewall: interfaces with addresses and MACs, routes, neighbours, forwarding.</summary>
/// <remarks>
/// What decides a packet's way through the hooks, as the kernel's routing does: a destination that is an address
/// of the host (or a broadcast address of one of its subnets) is delivered locally (PREROUTING, INPUT); any other
/// destination is forwarded when forwarding is on (PREROUTING, FORWARD, POSTROUTING) and dropped otherwise;
/// packets the host sends are routed to an output device (OUTPUT, POSTROUTING). The loopback device <c>lo</c>
/// with 127.0.0.1/8 always exists. Lookups follow the kernel's order: the local table (the host's addresses and
/// broadcast addresses), then the main table by longest prefix. Not thread-safe for changes; change the model
/// before traffic flows.
/// </remarks>
public sealed class HostModel
{
    private readonly List<NetDevice> _devices = [];
    private readonly List<Route> _routes = [];
    private readonly List<Route> _connected = [];
    private readonly Dictionary<Ipv4Address, MacAddress> _neighbours = [];

    /// <summary>Creates a host with only the loopback device.</summary>
    public HostModel(string hostName = "localhost")
    {
        HostName = hostName;
        var lo = new NetDevice("lo", 1, DeviceType.Loopback, default, 65536);
        lo.AddressList.Add((new Ipv4Address(127, 0, 0, 1), 8));
        _devices.Add(lo);
        Loopback = lo;
    }

    /// <summary>The host name, which the log file writes in front of kernel messages.</summary>
    public string HostName { get; set; }

    /// <summary>The loopback device.</summary>
    public NetDevice Loopback { get; }

    /// <summary>The devices, loopback first.</summary>
    public IReadOnlyList<NetDevice> Devices => _devices;

    /// <summary>The routes of the main table added explicitly (connected routes come from the addresses).</summary>
    public IReadOnlyList<Route> Routes => _routes;

    /// <summary>Whether packets not for the host are forwarded (<c>net.ipv4.ip_forward</c>).</summary>
    public bool Forwarding { get; set; }

    /// <summary>Whether the host's network stack answers (echo replies, resets and port unreachables for closed ports).</summary>
    /// <remarks>Replay turns this off: a capture already holds the host's own answers.</remarks>
    public bool RespondsLocally { get; set; } = true;

    /// <summary>Whether echo requests are ignored (<c>net.ipv4.icmp_echo_ignore_all</c>).</summary>
    public bool IgnoreEcho { get; set; }

    /// <summary>Whether echo requests to broadcast addresses are ignored (<c>net.ipv4.icmp_echo_ignore_broadcasts</c>, default on).</summary>
    public bool IgnoreBroadcastEcho { get; set; } = true;

    /// <summary>The TTL of packets the host sends (<c>net.ipv4.ip_default_ttl</c>).</summary>
    public byte DefaultTtl { get; set; } = 64;

    /// <summary>The TCP ports with a listening socket (none by default: every port is closed).</summary>
    public HashSet<ushort> TcpListeners { get; } = [];

    /// <summary>The UDP ports with a bound socket.</summary>
    public HashSet<ushort> UdpListeners { get; } = [];

    /// <summary>Adds a device.</summary>
    public NetDevice AddDevice(string name, DeviceType type = DeviceType.Ethernet, MacAddress hardwareAddress = default, int mtu = 1500)
    {
        if (FindDevice(name) is not null)
        {
            throw new ArgumentException($"Device {name} exists.", nameof(name));
        }

        var device = new NetDevice(name, _devices.Count + 1, type, hardwareAddress, mtu);
        _devices.Add(device);
        return device;
    }

    /// <summary>Adds an address with its prefix length to a device (<c>ip addr add ADDRESS/PREFIX dev DEVICE</c>).</summary>
    public void AddAddress(NetDevice device, Ipv4Address address, int prefixLength)
    {
        device.AddressList.Add((address, prefixLength));
        if (!device.IsLoopback)
        {
            var mask = Ipv4Address.MaskFromPrefix(prefixLength);
            _connected.Add(new Route(address & mask, prefixLength, RouteType.Unicast, device, default, address));
        }
    }

    /// <summary>
    /// Removes an address from a device (<c>ip addr del</c>), with its connected route, then tells
    /// <see cref="AddressRemoved"/> (the kernel's inetaddr notifier chain, which MASQUERADE listens to).
    /// </summary>
    public bool RemoveAddress(NetDevice device, Ipv4Address address)
    {
        int index = device.AddressList.FindIndex(a => a.Address == address);
        if (index < 0)
        {
            return false;
        }

        device.AddressList.RemoveAt(index);
        _connected.RemoveAll(r => r.Device == device && r.PreferredSource == address);
        AddressRemoved?.Invoke(device, address);
        return true;
    }

    /// <summary>Raised after an address is removed from a device.</summary>
    public event Action<NetDevice, Ipv4Address>? AddressRemoved;

    /// <summary>
    /// Sets the multicast groups the host has joined on a device (its sockets' <c>IP_ADD_MEMBERSHIP</c>, as
    /// <c>/proc/net/igmp</c> lists them); all-hosts is always joined. Whether the device's groups changed.
    /// </summary>
    public bool SetMulticastGroups(NetDevice device, IEnumerable<Ipv4Address> groups)
    {
        var joined = new List<Ipv4Address>();
        foreach (var group in groups)
        {
            if (!group.IsMulticast)
            {
                throw new ArgumentException($"{group} is not a multicast group.", nameof(groups));
            }

            if (group != NetDevice.AllHostsGroup && !joined.Contains(group))
            {
                joined.Add(group);
            }
        }

        joined.Sort();
        if (joined.SequenceEqual(device.GroupList))
        {
            return false;
        }

        device.GroupList.Clear();
        device.GroupList.AddRange(joined);
        return true;
    }

    /// <summary>Adds a route to the main table.</summary>
    public void AddRoute(Route route) => _routes.Add(route);

    /// <summary>Removes a route of the main table added with <see cref="AddRoute"/> (<c>ip route del</c>).</summary>
    public bool RemoveRoute(Route route) => _routes.Remove(route);

    /// <summary>Adds a default route through a gateway.</summary>
    public void AddDefaultRoute(Ipv4Address gateway, NetDevice device) =>
        _routes.Add(new Route(default, 0, RouteType.Unicast, device, gateway));

    /// <summary>Records the hardware address of a neighbour (<c>ip neigh add ADDRESS lladdr MAC dev DEVICE</c>).</summary>
    public void AddNeighbour(Ipv4Address address, MacAddress hardwareAddress) => _neighbours[address] = hardwareAddress;

    /// <summary>The hardware address of a neighbour, when known.</summary>
    public bool TryGetNeighbour(Ipv4Address address, out MacAddress hardwareAddress) =>
        _neighbours.TryGetValue(address, out hardwareAddress);

    /// <summary>The device of that name, or null.</summary>
    public NetDevice? FindDevice(string name)
    {
        foreach (var device in _devices)
        {
            if (device.Name == name)
            {
                return device;
            }
        }

        return null;
    }

    /// <summary>Whether the address is one of the host's own (a local route).</summary>
    public bool IsLocalAddress(Ipv4Address address) => LocalType(address, null) == RouteType.Local;

    /// <summary>
    /// The type of an address as the local and main tables classify it (<c>inet_addr_type_dev_table</c>); with a
    /// device, only that device's routes count.
    /// </summary>
    public RouteType AddressType(Ipv4Address address, NetDevice? device = null)
    {
        if (address == Ipv4Address.Broadcast)
        {
            return RouteType.Broadcast;
        }

        if (address.IsMulticast)
        {
            return RouteType.Multicast;
        }

        var local = LocalType(address, device);
        if (local != RouteType.Unspecified)
        {
            return local;
        }

        var main = LookupMain(address, device);
        return main?.Type ?? RouteType.Unreachable;
    }

    /// <summary>
    /// Routes a received packet (<c>ip_route_input</c>): local delivery for the host's addresses and broadcasts, and
    /// for multicast groups the host joined on the input device (a multicast route with the loopback device; one it
    /// has not joined gets a multicast route without a device: dropped, as the kernel does without multicast
    /// routing); forwarding through the main table when forwarding is on, unreachable otherwise.
    /// </summary>
    public RouteResult RouteInput(Ipv4Address destination, Ipv4Address source, NetDevice inDevice)
    {
        if (destination == Ipv4Address.Broadcast)
        {
            return new RouteResult(RouteType.Broadcast, Loopback, destination, default);
        }

        var local = LocalType(destination, null);
        if (local is RouteType.Local or RouteType.Broadcast)
        {
            return new RouteResult(local, Loopback, destination, default);
        }

        if (destination.IsMulticast)
        {
            return new RouteResult(RouteType.Multicast, inDevice.HasJoined(destination) ? Loopback : null, destination, default);
        }

        if (!Forwarding)
        {
            return RouteResult.Unreachable;
        }

        return RouteOutput(destination);
    }

    /// <summary>Routes a packet the host sends (<c>ip_route_output</c>): device, next hop and the source address to use.</summary>
    /// <param name="destination">The destination address.</param>
    /// <param name="outputInterface">
    /// The interface the sending socket chose (<c>flowi4_oif</c>: <c>IP_MULTICAST_IF</c>, <c>SO_BINDTODEVICE</c>), or
    /// null. It decides the device of multicast and limited-broadcast datagrams without a route lookup, as the
    /// kernel does.
    /// </param>
    public RouteResult RouteOutput(Ipv4Address destination, NetDevice? outputInterface = null)
    {
        var local = LocalType(destination, null);
        if (local == RouteType.Local)
        {
            return new RouteResult(RouteType.Local, Loopback, destination, destination);
        }

        // A multicast or limited-broadcast datagram goes to the group itself (no gateway), mapped to its Ethernet
        // address on the way out.
        bool multicast = destination.IsMulticast;
        if (multicast || destination == Ipv4Address.Broadcast)
        {
            var type = multicast ? RouteType.Multicast : RouteType.Broadcast;
            if (outputInterface is not null && !outputInterface.IsLoopback)
            {
                return new RouteResult(type, outputInterface, destination, PrimaryAddress(outputInterface));
            }

            if (!multicast)
            {
                var first = FirstNonLoopback();
                return first is null ? RouteResult.Unreachable : new RouteResult(type, first, destination, PrimaryAddress(first));
            }
        }

        var route = LookupMain(destination, null);
        if (route is null)
        {
            return RouteResult.Unreachable;
        }

        var device = route.Device;
        var nextHop = route.Gateway.Value != 0 && !multicast ? route.Gateway : destination;
        var source = route.PreferredSource.Value != 0 ? route.PreferredSource : SelectSource(device, nextHop);
        var routeType = multicast ? RouteType.Multicast : local == RouteType.Broadcast ? RouteType.Broadcast : route.Type;
        return new RouteResult(routeType, device, nextHop, source);
    }

    /// <summary>
    /// The source address for packets out of a device towards a next hop (<c>inet_select_addr</c>): the device's
    /// address whose subnet holds the next hop, else its primary address, else any address of the host.
    /// </summary>
    public Ipv4Address SelectSource(NetDevice? device, Ipv4Address towards)
    {
        if (device is not null)
        {
            foreach (var (address, prefix) in device.AddressList)
            {
                var mask = Ipv4Address.MaskFromPrefix(prefix);
                if ((address & mask) == (towards & mask))
                {
                    return address;
                }
            }

            if (device.Addresses.Count > 0)
            {
                return device.Addresses[0].Address;
            }
        }

        foreach (var other in _devices)
        {
            if (!other.IsLoopback && other.Addresses.Count > 0)
            {
                return other.Addresses[0].Address;
            }
        }

        return default;
    }

    /// <summary>The device that holds <paramref name="address"/> as one of its own (<c>__ip_dev_find</c>), or null.</summary>
    public NetDevice? DeviceWithAddress(Ipv4Address address)
    {
        foreach (var device in _devices)
        {
            foreach (var (own, _) in device.AddressList)
            {
                if (own == address)
                {
                    return device;
                }
            }
        }

        return null;
    }

    private static Ipv4Address PrimaryAddress(NetDevice device) =>
        device.Addresses.Count > 0 ? device.Addresses[0].Address : default;

    private NetDevice? FirstNonLoopback()
    {
        foreach (var device in _devices)
        {
            if (!device.IsLoopback)
            {
                return device;
            }
        }

        return null;
    }

    // The local table: every address of the host, the whole 127.0.0.0/8 of lo, and each subnet's broadcast address.
    private RouteType LocalType(Ipv4Address address, NetDevice? only)
    {
        foreach (var device in _devices)
        {
            if (only is not null && device != only)
            {
                continue;
            }

            foreach (var (own, prefix) in device.AddressList)
            {
                if (own == address)
                {
                    return RouteType.Local;
                }

                var mask = Ipv4Address.MaskFromPrefix(prefix);
                if (device.IsLoopback && (address & mask) == (own & mask))
                {
                    return RouteType.Local;
                }

                if (prefix < 31 && address == (own | ~mask))
                {
                    return RouteType.Broadcast;
                }
            }
        }

        return RouteType.Unspecified;
    }

    private Route? LookupMain(Ipv4Address destination, NetDevice? only)
    {
        Route? best = null;
        foreach (var route in _connected)
        {
            if ((only is null || route.Device == only) && route.Contains(destination)
                && (best is null || route.PrefixLength > best.PrefixLength))
            {
                best = route;
            }
        }

        foreach (var route in _routes)
        {
            if ((only is null || route.Device == only) && route.Contains(destination)
                && (best is null || route.PrefixLength > best.PrefixLength))
            {
                best = route;
            }
        }

        return best;
    }
}
