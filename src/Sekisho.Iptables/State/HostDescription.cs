using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Packets;

namespace Sekisho.Iptables.State;

/// <summary>The host model as the state directory keeps it: interfaces, addresses, routes, neighbours, forwarding, listeners.</summary>
/// <remarks>
/// <para>
/// Stored in the state directory's <c>host</c> file, one statement per line in the words of <c>ip</c> and
/// <c>sysctl</c>, so that it reads like the commands that would build the host:
/// </para>
/// <code>
/// # Sekisho host model 1
/// hostname server1
/// forwarding off
/// iface eth0 mac 0a:11:d1:09:77:ce mtu 1500
/// addr 10.1.51.165/24 dev eth0
/// route default via 10.1.51.1 dev eth0
/// neigh 10.1.51.1 lladdr 0a:a2:e8:49:27:a3 dev eth0
/// listen tcp 22
/// </code>
/// <para>Blank lines and lines starting with <c>#</c> are ignored. <see cref="Build"/> makes the engine's <see cref="HostModel"/>.</para>
/// </remarks>
public sealed class HostDescription
{
    /// <summary>The first line of a host file.</summary>
    public const string Header = "# Sekisho host model 1";

    /// <summary>The host name (which the log file writes in front of kernel messages).</summary>
    public string HostName { get; set; } = "localhost";

    /// <summary>Whether the host forwards (<c>net.ipv4.ip_forward</c>).</summary>
    public bool Forwarding { get; set; }

    /// <summary>The interfaces (besides <c>lo</c>), in index order.</summary>
    public List<HostInterface> Interfaces { get; } = [];

    /// <summary>Routes of the main table besides the connected ones.</summary>
    public List<HostRoute> Routes { get; } = [];

    /// <summary>Static neighbours.</summary>
    public List<HostNeighbour> Neighbours { get; } = [];

    /// <summary>Listening TCP ports.</summary>
    public SortedSet<ushort> TcpListeners { get; } = [];

    /// <summary>Bound UDP ports.</summary>
    public SortedSet<ushort> UdpListeners { get; } = [];

    /// <summary>The interface of that name, or null.</summary>
    public HostInterface? Find(string name) => Interfaces.Find(i => i.Name == name);

    /// <summary>Builds the engine's host model.</summary>
    public HostModel Build()
    {
        var host = new HostModel(HostName) { Forwarding = Forwarding };
        foreach (var iface in Interfaces)
        {
            var device = host.AddDevice(iface.Name, DeviceType.Ethernet, iface.Mac, iface.Mtu);
            foreach (var (address, prefix) in iface.Addresses)
            {
                host.AddAddress(device, address, prefix);
            }
        }

        foreach (var route in Routes)
        {
            host.AddRoute(new Route(route.Destination, route.PrefixLength, RouteType.Unicast, host.FindDevice(route.Device),
                route.Gateway, route.Source));
        }

        foreach (var neighbour in Neighbours)
        {
            host.AddNeighbour(neighbour.Address, neighbour.Mac);
        }

        host.TcpListeners.UnionWith(TcpListeners);
        host.UdpListeners.UnionWith(UdpListeners);
        return host;
    }

    /// <summary>The file form (see the type's remarks).</summary>
    public string Format()
    {
        var text = new StringBuilder();
        text.Append(Header).Append('\n');
        text.Append("hostname ").Append(HostName).Append('\n');
        text.Append("forwarding ").Append(Forwarding ? "on" : "off").Append('\n');
        foreach (var iface in Interfaces)
        {
            text.Append("iface ").Append(iface.Name).Append(" mac ").Append(iface.Mac).Append(" mtu ")
                .Append(iface.Mtu.ToString(CultureInfo.InvariantCulture)).Append('\n');
            foreach (var (address, prefix) in iface.Addresses)
            {
                text.Append("addr ").Append(address).Append('/').Append(prefix.ToString(CultureInfo.InvariantCulture))
                    .Append(" dev ").Append(iface.Name).Append('\n');
            }
        }

        foreach (var route in Routes)
        {
            text.Append("route ").Append(route).Append('\n');
        }

        foreach (var neighbour in Neighbours)
        {
            text.Append("neigh ").Append(neighbour.Address).Append(" lladdr ").Append(neighbour.Mac)
                .Append(" dev ").Append(neighbour.Device).Append('\n');
        }

        foreach (ushort port in TcpListeners)
        {
            text.Append("listen tcp ").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        foreach (ushort port in UdpListeners)
        {
            text.Append("listen udp ").Append(port.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses the file form; a bad line throws <see cref="FormatException"/> naming the line.</summary>
    public static HostDescription Parse(string text, string source = "host")
    {
        var host = new HostDescription();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            try
            {
                host.Apply(line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries));
            }
            catch (FormatException ex)
            {
                throw new FormatException($"{source}:{number}: {ex.Message}", ex);
            }
        }

        return host;
    }

    /// <summary>Applies one statement (the words of one line).</summary>
    public void Apply(IReadOnlyList<string> words)
    {
        switch (words[0])
        {
            case "hostname" when words.Count == 2:
                HostName = words[1];
                break;
            case "forwarding" when words.Count == 2:
                Forwarding = ParseSwitch(words[1]);
                break;
            case "iface":
                AddInterface(words);
                break;
            case "addr" when words.Count == 4 && words[2] == "dev":
                var (address, prefix) = ParsePrefix(words[1]);
                (Find(words[3]) ?? throw new FormatException($"no interface {words[3]}")).Addresses.Add((address, prefix));
                break;
            case "route":
                Routes.Add(HostRoute.Parse(words.Skip(1).ToList(), this));
                break;
            case "neigh" when words.Count == 6 && words[2] == "lladdr" && words[4] == "dev":
                _ = Find(words[5]) ?? throw new FormatException($"no interface {words[5]}");
                Neighbours.RemoveAll(n => n.Address == ParseAddress(words[1]));
                Neighbours.Add(new HostNeighbour(ParseAddress(words[1]), ParseMac(words[3]), words[5]));
                break;
            case "listen" when words.Count == 3 && words[1] is "tcp" or "udp":
                ushort port = ushort.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out ushort p) && p != 0
                    ? p
                    : throw new FormatException($"bad port `{words[2]}'");
                (words[1] == "tcp" ? TcpListeners : UdpListeners).Add(port);
                break;
            default:
                throw new FormatException($"cannot understand `{string.Join(' ', words)}'");
        }
    }

    private void AddInterface(IReadOnlyList<string> words)
    {
        if (words.Count < 2 || words.Count % 2 != 0)
        {
            throw new FormatException("expected iface NAME [mac MAC] [mtu MTU]");
        }

        string name = words[1];
        if (name.Length is 0 or > 15 || name == "lo" || name.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
        {
            throw new FormatException($"bad interface name `{name}'");
        }

        if (Find(name) is not null)
        {
            throw new FormatException($"interface {name} exists");
        }

        var mac = new MacAddress(0x0200_0000_0000UL | (uint)(Interfaces.Count + 1));
        int mtu = 1500;
        for (int i = 2; i < words.Count; i += 2)
        {
            switch (words[i])
            {
                case "mac":
                    mac = ParseMac(words[i + 1]);
                    break;
                case "mtu":
                    mtu = int.TryParse(words[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int m) && m is >= 68 and <= 65535
                        ? m
                        : throw new FormatException($"bad MTU `{words[i + 1]}'");
                    break;
                default:
                    throw new FormatException($"unknown interface option `{words[i]}'");
            }
        }

        Interfaces.Add(new HostInterface(name, mac, mtu));
    }

    /// <summary>Parses on/off (also 1/0, yes/no).</summary>
    public static bool ParseSwitch(string text) => text switch
    {
        "on" or "1" or "yes" => true,
        "off" or "0" or "no" => false,
        _ => throw new FormatException($"expected on or off, not `{text}'"),
    };

    /// <summary>Parses ADDRESS/PREFIXLEN.</summary>
    public static (Ipv4Address Address, int PrefixLength) ParsePrefix(string text)
    {
        int slash = text.IndexOf('/');
        if (slash < 0 || !Ipv4Address.TryParse(text.AsSpan(0, slash), out var address)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 32)
        {
            throw new FormatException($"bad address `{text}': expected ADDRESS/PREFIXLEN");
        }

        return (address, prefix);
    }

    /// <summary>Parses a dotted-quad address.</summary>
    public static Ipv4Address ParseAddress(string text) =>
        Ipv4Address.TryParse(text, out var address) ? address : throw new FormatException($"bad address `{text}'");

    /// <summary>Parses a MAC address.</summary>
    public static MacAddress ParseMac(string text) =>
        MacAddress.TryParse(text, out var mac) ? mac : throw new FormatException($"bad MAC address `{text}'");
}
