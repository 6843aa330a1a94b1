using Sekisho.Iptables.Output;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Netfilter.Tracing;
using Sekisho.Packets;

namespace Sekisho.Cli.Trace;

/// <summary><c>sekisho trace</c>: what the ruleset does to described packets, step by step.</summary>
internal sealed class TraceCommand
{
    private static readonly MacAddress s_peerMac = MacAddress.Parse("02:00:00:00:00:fe");

    private readonly IRulesetStore _store;
    private readonly INameService _names;

    public TraceCommand(IRulesetStore store, INameService names)
    {
        _store = store;
        _names = names;
    }

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!TraceArguments.TryParse(args, out var arguments, out string error))
        {
            stderr.Write($"sekisho trace: {error}\nTry `sekisho trace --help' for more information.\n");
            return 2;
        }

        if (arguments.Help)
        {
            stdout.Write(TraceArguments.Usage);
            return 0;
        }

        HostModel host;
        try
        {
            host = arguments.Interfaces.Count == 0 && _store is StateDirectory state && state.LoadHost() is { } stored
                ? StoredHost(stored, arguments)
                : BuildHost(arguments);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            stderr.Write($"sekisho trace: {ex.Message}\n");
            return 2;
        }

        var ruleset = _store.Load();
        var recorder = new TraceRecorder();
        var clock = new TraceClock();
        var net = new NetNamespace(host, clock, recorder) { Tracer = recorder };
        net.Load(ruleset);
        var results = new List<TracedPacket>();
        var conversation = new Conversation();
        TracePacket? previous = null;
        foreach (var spec in arguments.Packets)
        {
            var resolved = Resolve(spec, previous, host);
            previous = resolved;
            var packet = net.Pool.Rent();
            var datagram = conversation.Build(resolved);
            string description;
            PacketResult result;
            recorder.StartPacket();
            int first = recorder.Events.Count;
            if (resolved.Local)
            {
                packet.LoadDatagram(datagram);
                packet.Mark = resolved.Mark;
                if (resolved.Uid is not null || resolved.Gid is not null)
                {
                    packet.Socket = new SocketInfo(resolved.Uid ?? 0, resolved.Gid ?? 0);
                }

                description = $"{NetNamespace.Describe(packet)}, sent by the host";
                result = net.Send(packet);
            }
            else
            {
                var device = ReceivingDevice(resolved, host);
                var frame = device.HeaderLength == 14
                    ? PacketBuilder.Ethernet(device.HardwareAddress, resolved.SourceMac ?? s_peerMac, datagram)
                    : datagram;
                packet.LoadFrame(frame, device.HeaderLength);
                packet.InDevice = device;
                packet.Mark = resolved.Mark;
                description = $"{NetNamespace.Describe(packet)}, received on {device.Name}";
                result = net.Receive(packet);
            }

            // The state conntrack gave the packet itself (a dropped packet's new connection dies with it).
            var events = recorder.Events.GetRange(first, recorder.Events.Count - first);
            string? connection = events.LastOrDefault(e => e.Depth == 0 && e.Kind == TraceEventKind.Conntrack)?.Text;
            if (connection is not null && result.Fate == PacketFate.Dropped && connection == "NEW")
            {
                connection = "NEW (the connection was not kept: the packet was dropped)";
            }

            results.Add(new TracedPacket(description, result, events, connection));
            clock.Advance();
        }

        var renderer = new TraceRenderer(entry => entry.Rule is null ? null : RuleText.Save(entry.Rule, entry.Chain, _names));
        if (arguments.Json)
        {
            renderer.WriteJson(stdout, results);
        }
        else
        {
            renderer.WriteText(stdout, results);
        }

        return 0;
    }

    // The state directory's host model (sekisho host), with --forwarding turning forwarding on.
    private static HostModel StoredHost(HostDescription stored, TraceArguments arguments)
    {
        var host = stored.Build();
        host.Forwarding |= arguments.Forwarding;
        return host;
    }

    private static HostModel BuildHost(TraceArguments arguments)
    {
        var host = new HostModel { Forwarding = arguments.Forwarding };
        if (arguments.Interfaces.Count > 0)
        {
            int index = 0;
            foreach (var (name, address, prefix, mac) in arguments.Interfaces)
            {
                index++;
                var device = host.FindDevice(name) ?? host.AddDevice(name, DeviceType.Ethernet,
                    mac ?? new MacAddress(0x0200_0000_0000UL | (uint)index));
                host.AddAddress(device, address, prefix);
            }

            return host;
        }

        if (arguments.Forwarding)
        {
            throw new ArgumentException("--forwarding needs the host's interfaces (--iface)");
        }

        // No host given: a host that owns the first packet's destination (or its source, when it sends it), on the
        // interfaces the packets name, with every other address reachable through the first one.
        var first = arguments.Packets[0];
        var names = arguments.Packets.Select(p => p.InInterface).OfType<string>().Distinct().ToList();
        if (names.Count == 0)
        {
            names.Add("eth0");
        }

        NetDevice? primary = null;
        for (int i = 0; i < names.Count; i++)
        {
            var device = host.AddDevice(names[i], DeviceType.Ethernet, new MacAddress(0x0200_0000_0000UL | (uint)(i + 1)));
            primary ??= device;
        }

        var own = first.Local ? first.Source!.Value : first.Destination!.Value;
        host.AddAddress(primary!, own, 24);
        host.AddRoute(new Route(default, 0, RouteType.Unicast, primary));
        return host;
    }

    private static TracePacket Resolve(TracePacket spec, TracePacket? previous, HostModel host)
    {
        if (spec.Reply && previous is not null)
        {
            spec.Source = previous.Destination;
            spec.Destination = previous.Source;
            spec.SourcePort = previous.DestinationPort;
            spec.DestinationPort = previous.SourcePort;
            spec.InInterface = null;
            spec.Local = false;
            if (spec.Protocol == 1 && spec.IcmpType is null or 8 && previous.IcmpType == 8)
            {
                spec.IcmpType = 0;
                spec.IcmpSequence = previous.IcmpSequence;
            }
        }

        if (spec.Source is { } source && host.IsLocalAddress(source) && spec.InInterface is null)
        {
            spec.Local = true;
        }

        spec.SourcePort ??= 40000;
        spec.DestinationPort ??= 80;
        return spec;
    }

    private static NetDevice ReceivingDevice(TracePacket spec, HostModel host)
    {
        if (spec.InInterface is { } name)
        {
            return host.FindDevice(name) ?? throw new ArgumentException($"the host has no interface {name}");
        }

        var source = spec.Source!.Value;
        foreach (var device in host.Devices)
        {
            foreach (var (address, prefix) in device.Addresses)
            {
                var mask = Ipv4Address.MaskFromPrefix(prefix);
                if (!device.IsLoopback && (address & mask) == (source & mask))
                {
                    return device;
                }
            }
        }

        return host.RouteOutput(source).Device is { IsLoopback: false } routed
            ? routed
            : host.Devices.FirstOrDefault(d => !d.IsLoopback) ?? host.Loopback;
    }

    /// <summary>Sequence and acknowledgment numbers of a described TCP conversation, and ICMP echo numbering.</summary>
    private sealed class Conversation
    {
        private readonly Dictionary<(Ipv4Address, ushort, Ipv4Address, ushort), uint> _next = [];
        private ushort _echoSequence;
        private ushort _id = 0x1000;
        private TracePacket? _previous;

        public byte[] Build(TracePacket spec)
        {
            var ip = new IpFields(spec.Source!.Value, spec.Destination!.Value)
            {
                Ttl = spec.Ttl,
                Tos = spec.Tos,
                Id = spec.Id ?? _id++,
                DontFragment = spec.DontFragment,
            };
            var payload = new byte[spec.PayloadLength];
            byte[] datagram;
            switch (spec.Protocol)
            {
                case 6:
                    byte flags = spec.TcpFlags ?? DefaultFlags(spec);
                    spec.TcpFlags = flags;
                    var forward = (spec.Source.Value, spec.SourcePort!.Value, spec.Destination.Value, spec.DestinationPort!.Value);
                    var backward = (spec.Destination.Value, spec.DestinationPort!.Value, spec.Source.Value, spec.SourcePort!.Value);
                    if (!_next.TryGetValue(forward, out uint seq))
                    {
                        seq = _next.Count == 0 ? 1000u : 3_000_000u;
                    }

                    _next.TryGetValue(backward, out uint ack);
                    seq = spec.Sequence ?? seq;
                    ack = spec.Acknowledgment ?? ((flags & TcpHeader.Ack) != 0 ? ack : 0);
                    _next[forward] = seq + (uint)payload.Length + ((flags & TcpHeader.Syn) != 0 ? 1u : 0u) + ((flags & TcpHeader.Fin) != 0 ? 1u : 0u);
                    datagram = PacketBuilder.Tcp(ip, spec.SourcePort.Value, spec.DestinationPort.Value, flags, seq, ack, spec.Window,
                        payload: payload);
                    break;
                case 17:
                    datagram = PacketBuilder.Udp(ip, spec.SourcePort!.Value, spec.DestinationPort!.Value, payload);
                    break;
                case 1:
                    byte type = spec.IcmpType ?? 8;
                    if (type is 0 or 8)
                    {
                        spec.IcmpSequence ??= type == 8 ? ++_echoSequence : _echoSequence;
                        datagram = PacketBuilder.Echo(ip, spec.IcmpId, spec.IcmpSequence.Value, payload.Length == 0 ? new byte[56] : payload, type == 0);
                    }
                    else
                    {
                        datagram = PacketBuilder.Icmp(ip, type, spec.IcmpCode, 0, QuotedPacket(spec));
                    }

                    break;
                default:
                    datagram = PacketBuilder.Ipv4(ip, spec.Protocol, payload);
                    break;
            }

            _previous = spec;
            return datagram;
        }

        // An ICMP error quotes a datagram that went the other way: the previous packet when there is one.
        private byte[] QuotedPacket(TracePacket spec)
        {
            var quoted = new IpFields(spec.Destination!.Value, spec.Source!.Value) { Id = 1 };
            var original = _previous is { Protocol: 17 } previous
                ? PacketBuilder.Udp(quoted, previous.SourcePort ?? 40000, previous.DestinationPort ?? 80)
                : PacketBuilder.Tcp(quoted, _previous?.SourcePort ?? 40000, _previous?.DestinationPort ?? 80, TcpHeader.Syn, 1000);
            return original.AsSpan(0, Math.Min(original.Length, 28)).ToArray();
        }

        private byte DefaultFlags(TracePacket spec)
        {
            if (_previous is null || _previous.Protocol != 6)
            {
                return TcpHeader.Syn;
            }

            byte before = _previous.TcpFlags ?? TcpHeader.Syn;
            if (spec.Reply && before == TcpHeader.Syn)
            {
                return TcpHeader.Syn | TcpHeader.Ack;
            }

            return TcpHeader.Ack;
        }
    }

    /// <summary>A clock that starts now and moves one millisecond per packet.</summary>
    private sealed class TraceClock : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UtcNow;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance() => _now = _now.AddMilliseconds(1);
    }
}
