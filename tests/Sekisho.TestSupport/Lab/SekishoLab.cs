using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>Sekisho as a lab host: a namespace over a host model built from the same description as the kernel's.</summary>
public sealed class SekishoLab : IPacketLab, IPacketTransmitter, IPacketLogSink
{
    private readonly MemoryRulesetStore _store = new();
    private readonly SekishoTools _tools;
    private readonly List<LabFrame> _frames = [];
    private readonly List<(int, string)> _log = [];
    private Ruleset? _loaded;
    private int _loadedTables;

    /// <summary>Builds the host and loads <paramref name="rules"/> (iptables-restore input) when given.</summary>
    public SekishoLab(LabHost host, string? rules = null, TimeProvider? clock = null)
    {
        Host = host;
        _tools = new SekishoTools(_store);
        var model = new HostModel
        {
            Forwarding = host.Forwarding,
            IgnoreBroadcastEcho = !host.AnswerBroadcastEcho,
        };
        foreach (var iface in host.Interfaces)
        {
            var device = model.AddDevice(iface.Name, DeviceType.Ethernet, iface.Mac);
            model.AddAddress(device, iface.Address, iface.PrefixLength);
        }

        foreach (var (address, mac, _) in host.Neighbours)
        {
            model.AddNeighbour(address, mac);
        }

        foreach (var byInterface in host.MulticastGroups.GroupBy(g => g.Interface))
        {
            model.SetMulticastGroups(model.FindDevice(byInterface.Key)!, byInterface.Select(g => g.Group));
        }

        foreach (var (destination, prefix, gateway, name) in host.Routes)
        {
            model.AddRoute(new Route(destination, prefix, RouteType.Unicast, model.FindDevice(name), gateway));
        }

        Net = new NetNamespace(model, clock, this) { Transmitter = this };
        if (rules is not null)
        {
            var result = Tool("iptables-restore", rules.EndsWith('\n') ? rules : rules + "\n");
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"Sekisho refused the ruleset: {result.Stderr}");
            }
        }

        Reload();
    }

    /// <inheritdoc />
    public string Name => "sekisho";

    /// <inheritdoc />
    public LabHost Host { get; }

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <inheritdoc />
    public void Inject(string interfaceName, byte[] frame)
    {
        var device = Net.Host.FindDevice(interfaceName) ?? throw new ArgumentException($"No device {interfaceName}");
        Net.Receive(device, frame);
    }

    /// <inheritdoc />
    public void Send(byte[] datagram, LabSender sender)
    {
        var packet = Net.Pool.Rent();
        packet.LoadDatagram(datagram);
        packet.Origin = PacketOrigin.Local;
        packet.Socket = new SocketInfo(sender.Uid, sender.Gid);
        try
        {
            Net.Send(packet);
        }
        finally
        {
            Net.Conntrack.Release(packet);
            Net.Pool.Return(packet);
        }
    }

    /// <inheritdoc />
    public void SendUdp(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, byte[] payload, LabSender sender)
    {
        // __ip_make_skb with IP_PMTUDISC_WANT: DF only on a datagram that fits the route's MTU.
        // A multicast datagram has the socket's multicast TTL (IP_MULTICAST_TTL, 1) and leaves through the device of
        // the address the socket is bound to.
        bool multicast = destination.IsMulticast;
        var device = multicast ? Net.Host.DeviceWithAddress(source) : Net.Host.RouteOutput(destination).Device;
        int mtu = device?.Mtu ?? int.MaxValue;
        bool fits = 20 + 8 + payload.Length <= mtu;
        var ip = new IpFields(source, destination) { DontFragment = fits, Ttl = multicast ? (byte)1 : (byte)64 };
        Send(PacketBuilder.Udp(ip, sourcePort, destinationPort, payload), sender);
    }

    /// <inheritdoc />
    public List<LabFrame> TakeFrames()
    {
        // Grouped by interface in the host's interface order, as the kernel lab reads them.
        var frames = new List<LabFrame>();
        foreach (var iface in Host.Interfaces)
        {
            frames.AddRange(_frames.Where(f => f.Interface == iface.Name));
        }

        _frames.Clear();
        return frames;
    }

    /// <inheritdoc />
    public List<(int Level, string Message)> TakeLog()
    {
        var log = new List<(int, string)>(_log);
        _log.Clear();
        return log;
    }

    /// <inheritdoc />
    public ToolResult Tool(string commandLine, string? stdin = null)
    {
        var result = _tools.Run(commandLine, stdin);
        Reload();
        return result;
    }

    /// <inheritdoc />
    public string Conntrack()
    {
        var output = new StringWriter { NewLine = "\n" };
        Net.Conntrack.WriteListing(output);
        return output.ToString();
    }

    /// <inheritdoc />
    public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame) =>
        _frames.Add(new LabFrame(device.Name, frame.ToArray()));

    /// <inheritdoc />
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time) => _log.Add((level, message.ToString()));

    /// <inheritdoc />
    public void Dispose()
    {
    }

    // The kernel instantiates a table when a command first names it and replaces it when a command changes it.
    private void Reload()
    {
        var current = _store.Ruleset;
        if (!ReferenceEquals(current, _loaded) || current.Tables.Count != _loadedTables)
        {
            Net.Load(current);
            _loaded = current;
            _loadedTables = current.Tables.Count;
        }
    }
}
