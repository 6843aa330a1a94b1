using System.Globalization;
using System.Text.Json;
using Sekisho.Iptables.State;
using Sekisho.Packets;

namespace Sekisho.Live.Daemon;

/// <summary>Reads the configuration of the host's interfaces (<c>ip -j</c>): what the daemon copies and mirrors.</summary>
internal static class HostQuery
{
    /// <summary>
    /// The managed interfaces of the calling namespace as a host description: MAC, MTU, IPv4 addresses, the routes of
    /// the main table through them (connected routes aside: they follow from the addresses), permanent neighbours.
    /// </summary>
    public static HostDescription Describe(IReadOnlyList<string> interfaces)
    {
        var host = new HostDescription { HostName = Environment.MachineName };
        foreach (string name in interfaces)
        {
            var (code, linkJson, error) = IpTool.Run("-j", "link", "show", "dev", name);
            if (code != 0)
            {
                throw new IOException($"no interface {name}: {error.Trim()}");
            }

            using var link = JsonDocument.Parse(linkJson);
            var entry = link.RootElement[0];
            string type = entry.TryGetProperty("link_type", out var t) ? t.GetString() ?? "" : "";
            if (type != "ether")
            {
                throw new IOException($"{name} is not an Ethernet interface (link type {type})");
            }

            var iface = new HostInterface(name, MacAddress.Parse(entry.GetProperty("address").GetString()!),
                entry.GetProperty("mtu").GetInt32());
            using var addresses = JsonDocument.Parse(IpTool.Check("-j", "-4", "addr", "show", "dev", name));
            foreach (var device in addresses.RootElement.EnumerateArray())
            {
                foreach (var info in device.GetProperty("addr_info").EnumerateArray())
                {
                    iface.Addresses.Add((Ipv4Address.Parse(info.GetProperty("local").GetString()!), info.GetProperty("prefixlen").GetInt32()));
                }
            }

            host.Interfaces.Add(iface);
        }

        using (var routes = JsonDocument.Parse(IpTool.Check("-j", "-4", "route", "show", "table", "main")))
        {
            foreach (var route in routes.RootElement.EnumerateArray())
            {
                if (Route(route, host) is { } parsed)
                {
                    host.Routes.Add(parsed);
                }
            }
        }

        foreach (var (address, mac, device, permanent) in Neighbours(interfaces))
        {
            if (permanent)
            {
                host.Neighbours.Add(new HostNeighbour(address, mac, device));
            }
        }

        host.Forwarding = ReadForwarding();
        return host;
    }

    /// <summary>The IPv4 neighbours with a link-layer address on the managed interfaces, and whether each is permanent.</summary>
    public static List<(Ipv4Address Address, MacAddress Mac, string Device, bool Permanent)> Neighbours(IReadOnlyList<string> interfaces)
    {
        var found = new List<(Ipv4Address, MacAddress, string, bool)>();
        using var neighbours = JsonDocument.Parse(IpTool.Check("-j", "-4", "neigh", "show"));
        foreach (var entry in neighbours.RootElement.EnumerateArray())
        {
            if (!entry.TryGetProperty("lladdr", out var lladdr) || !entry.TryGetProperty("dev", out var dev)
                || !interfaces.Contains(dev.GetString()) || !Ipv4Address.TryParse(entry.GetProperty("dst").GetString(), out var address))
            {
                continue;
            }

            bool permanent = entry.TryGetProperty("state", out var state)
                && state.EnumerateArray().Any(s => s.GetString() == "PERMANENT");
            found.Add((address, MacAddress.Parse(lladdr.GetString()!), dev.GetString()!, permanent));
        }

        return found;
    }

    /// <summary><c>net.ipv4.ip_forward</c> of the calling namespace.</summary>
    public static bool ReadForwarding()
    {
        try
        {
            return File.ReadAllText("/proc/sys/net/ipv4/ip_forward").Trim() == "1";
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A unicast route through a managed interface, connected routes (proto kernel, scope link) left out.
    private static HostRoute? Route(JsonElement route, HostDescription host)
    {
        if (route.TryGetProperty("type", out var type) && type.GetString() != "unicast")
        {
            return null;
        }

        if (!route.TryGetProperty("dev", out var dev) || host.Find(dev.GetString()!) is null)
        {
            return null;
        }

        bool kernel = route.TryGetProperty("protocol", out var protocol) && protocol.GetString() == "kernel";
        bool link = route.TryGetProperty("scope", out var scope) && scope.GetString() == "link";
        if (kernel && link)
        {
            return null;
        }

        string destination = route.GetProperty("dst").GetString()!;
        var (address, prefix) = destination == "default" ? (default, 0)
            : destination.Contains('/') ? HostDescription.ParsePrefix(destination) : (HostDescription.ParseAddress(destination), 32);
        var gateway = route.TryGetProperty("gateway", out var g) ? HostDescription.ParseAddress(g.GetString()!) : default;
        var source = route.TryGetProperty("prefsrc", out var s) ? HostDescription.ParseAddress(s.GetString()!) : default;
        return new HostRoute(address, prefix, gateway, dev.GetString()!, source);
    }

    /// <summary>The <c>ip</c> words that give an interface its copied configuration, in order.</summary>
    public static List<string[]> ConfigureCommands(HostDescription host, string name)
    {
        var iface = host.Find(name) ?? throw new ArgumentException($"no interface {name}", nameof(name));
        var commands = new List<string[]>
        {
            new[] { "link", "set", "dev", name, "address", iface.Mac.ToString(), "mtu", iface.Mtu.ToString(CultureInfo.InvariantCulture), "up" },
        };
        foreach (var (address, prefix) in iface.Addresses)
        {
            commands.Add(["addr", "add", $"{address}/{prefix.ToString(CultureInfo.InvariantCulture)}", "brd", "+", "dev", name]);
        }

        foreach (var route in host.Routes)
        {
            if (route.Device == name)
            {
                commands.Add(["route", "replace", .. route.ToString().Split(' ')]);
            }
        }

        foreach (var neighbour in host.Neighbours)
        {
            if (neighbour.Device == name)
            {
                commands.Add(["neigh", "replace", neighbour.Address.ToString(), "lladdr", neighbour.Mac.ToString(), "dev", name, "nud", "permanent"]);
            }
        }

        return commands;
    }
}
