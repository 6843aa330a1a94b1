using System.Buffers.Binary;
using System.Diagnostics;
using Sekisho.Cli.Trace;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Logging;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.Packets.Capture;

namespace Sekisho.Cli.Replay;

/// <summary><c>sekisho replay</c>: runs a capture's packets through the state directory's ruleset, as the kernel would have.</summary>
/// <remarks>
/// <para>
/// Each packet enters on the host model's interface the capture names (pcapng interface name, cooked-capture
/// interface index), else the interface whose subnet holds its source, else the first. The namespace clock is the
/// capture's: conntrack timeouts, limits and LOG times follow it.
/// </para>
/// <para>
/// Direction: a frame whose source MAC is one of the host's (cooked captures: packet type "outgoing"; raw IP: a
/// host source address) was sent by the host; it goes through OUTPUT and POSTROUTING (<see cref="NetNamespace.Send"/>).
/// The host's own stack does not answer during a replay (the capture holds its answers, which replay as sent
/// packets). Replies the ruleset itself generates (REJECT, ICMP errors of forwarding) are kept, and the copy the
/// capture shows of each leaving the host is recognised (same bytes but for the IP identification and checksum,
/// within two seconds) and not sent a second time. Frames leaving the host whose source address is not the host's
/// are forwarded packets: they were counted when they arrived, and are not replayed.
/// </para>
/// <para>
/// The state directory is held under the xtables lock for the whole replay; at the end the ruleset with its counters
/// and the conntrack table are written back atomically, LOG lines have been appended to its <c>messages</c> file
/// (and sent to the system logger when one listens on <c>/dev/log</c>).
/// </para>
/// </remarks>
internal sealed class ReplayCommand : IPacketTransmitter
{
    public const string Usage =
        "Usage: sekisho replay CAPTURE [--iface NAME=ADDRESS/PREFIXLEN[,mac=MAC]]... [--forwarding] [--out FILE] [--quiet]\n" +
        "\n" +
        "Runs every packet of a pcap or pcapng capture through the state directory's ruleset as the kernel would:\n" +
        "received packets through PREROUTING, INPUT or FORWARD, POSTROUTING; packets the capture shows the host\n" +
        "sending through OUTPUT and POSTROUTING. The clock follows the capture's timestamps. Afterwards\n" +
        "`sekisho iptables -L -v' shows the counters, the conntrack table is kept, and LOG lines are in the state\n" +
        "directory's messages file with the capture's times.\n" +
        "\n" +
        "Options:\n" +
        "      --iface NAME=ADDRESS/PREFIXLEN[,mac=MAC]  the host's interfaces (repeatable; default: the host\n" +
        "                           model of the state directory, see `sekisho host'); without mac=, the MAC\n" +
        "                           is learnt from the capture; every other address is reached through the\n" +
        "                           first interface\n" +
        "      --forwarding         the host forwards packets not addressed to it\n" +
        "      --out FILE           write every frame leaving the host (pcap, Ethernet) to FILE\n" +
        "      --quiet              no summary\n";

    private static readonly TimeSpan s_replyWindow = TimeSpan.FromSeconds(2);

    private readonly StateDirectory _state;
    private readonly List<(byte[] Datagram, DateTimeOffset Time)> _generated = [];
    private readonly ReplaySummary _summary = new();
    private readonly ReplayClock _clock = new();
    private PcapWriter? _out;
    private byte[] _scratch = new byte[2048];
    private NetNamespace _net = null!;

    public ReplayCommand(StateDirectory state)
    {
        _state = state;
    }

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (!TryParse(args, out var options, out string error))
        {
            stderr.Write($"sekisho replay: {error}\nTry `sekisho replay --help' for more information.\n");
            return 2;
        }

        if (options.Help)
        {
            stdout.Write(Usage);
            return 0;
        }

        var reader = CaptureReader.Open(options.Capture!, out var openError);
        if (reader is null)
        {
            stderr.Write($"sekisho replay: {options.Capture}: {openError}\n");
            return 2;
        }

        using (reader)
        {
            try
            {
                return Replay(reader, options, stdout, stderr);
            }
            catch (XtablesException ex)
            {
                stderr.Write(ex.Message);
                return 4;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or InvalidDataException)
            {
                stderr.Write($"sekisho replay: {ex.Message}\n");
                return 1;
            }
            finally
            {
                _out?.Dispose();
            }
        }
    }

    private int Replay(CaptureReader reader, ReplayOptions options, TextWriter stdout, TextWriter stderr)
    {
        HostDescription description;
        if (options.Interfaces.Count > 0)
        {
            description = new HostDescription { Forwarding = options.Forwarding };
            foreach (var (name, address, prefix, mac) in options.Interfaces)
            {
                var existing = description.Find(name);
                if (existing is null)
                {
                    var learnt = mac ?? LearnMac(options.Capture!, address) ?? new MacAddress(0x0200_0000_0000UL | (uint)(description.Interfaces.Count + 1));
                    existing = new HostInterface(name, learnt);
                    description.Interfaces.Add(existing);
                }

                existing.Addresses.Add((address, prefix));
            }

            // The capture shows the host reaching its peers: without routes, everything is on the first interface's link.
            description.Routes.Add(new HostRoute(default, 0, default, description.Interfaces[0].Name, default));
        }
        else
        {
            description = _state.LoadHost()
                ?? throw new FormatException("no host model: give --iface NAME=ADDRESS/PREFIXLEN or store one with `sekisho host add-iface'");
            description.Forwarding |= options.Forwarding;
        }

        var host = description.Build();
        host.RespondsLocally = false;
        if (host.Devices.Count < 2)
        {
            throw new FormatException("the host model has no interface besides lo");
        }

        using var held = _state.Lock(-1);
        var ruleset = _state.Load();
        Directory.CreateDirectory(_state.Path);
        using var log = new MessagesFileSink(_state.MessagesPath, host.HostName);

        // As klogd passes the kernel's messages on: to the system logger too, when one listens on /dev/log.
        using var syslog = SyslogSink.TryOpen();
        _net = new NetNamespace(host, _clock, syslog is null ? log : new CompositeLogSink(log, syslog)) { Transmitter = this };
        try
        {
            _state.LoadConntrack(_net.Conntrack);
        }
        catch (InvalidDataException ex)
        {
            // Never replaced silently: the user decides (conntrack -F, or move the file away).
            throw new InvalidDataException(
                $"the conntrack file {_state.ConntrackPath} is damaged ({ex.Message}); it has been left as it is. " +
                "Move it away or run `sekisho conntrack -F' to start from an empty table.", ex);
        }

        _net.Load(ruleset);
        if (options.Out is not null)
        {
            _out = new PcapWriter(options.Out);
        }

        var progress = Progress.Create(options.Capture!, options.Quiet);
        var errors = new List<string>();
        while (reader.TryRead(out var captured))
        {
            _summary.Read++;
            var time = captured.Timestamp;
            _summary.First ??= time;
            _summary.Last = time;
            _clock.Set(time);
            try
            {
                Process(captured);
            }
            catch (Exception ex)
            {
                // A packet the engine cannot process (a match whose runtime is missing, a bug) is counted and
                // reported; the replay goes on.
                _summary.Errors++;
                if (errors.Count < 5)
                {
                    errors.Add($"packet {_summary.Read} (byte {captured.Offset}): {ex.Message}");
                }
            }

            progress?.Update(reader.Position, _summary.Read);
        }

        progress?.Finish();
        _state.SaveRuleset(ruleset);
        _state.SaveConntrack(_net.Conntrack);
        _out?.Commit();
        foreach (string message in errors)
        {
            stderr.Write($"sekisho replay: {message}\n");
        }

        if (_summary.Errors > errors.Count)
        {
            stderr.Write($"sekisho replay: ... and {_summary.Errors - errors.Count} more errors\n");
        }

        if (reader.Error is { } damage)
        {
            _summary.Errors++;
            stderr.Write($"sekisho replay: {options.Capture}: {damage} (the {_summary.Read} packets before it were replayed)\n");
        }

        if (!options.Quiet)
        {
            _summary.SourceTranslated = _net.Conntrack.SourceTranslated;
            _summary.DestinationTranslated = _net.Conntrack.DestinationTranslated;
            _summary.Write(stdout, options.Capture!, $"{reader.Format}, {LinkTypes(reader)}");
        }

        return reader.Error is null && _summary.Errors == 0 ? 0 : 1;
    }

    private static string LinkTypes(CaptureReader reader) =>
        string.Join(", ", reader.Interfaces.Select(i => i.LinkType.ToString()).Distinct());

    // One packet: its link layer tells the interface and the direction.
    private void Process(CapturedPacket captured)
    {
        if (captured.Truncated)
        {
            _summary.Truncated++;
            return;
        }

        var data = captured.Data.Span;
        var host = _net.Host;
        switch (captured.LinkType)
        {
            case CaptureLinkType.Ethernet:
            {
                if (data.Length < 14 || BinaryPrimitives.ReadUInt16BigEndian(data[12..]) != EthernetHeader.EtherTypeIpv4)
                {
                    _summary.NotIpv4++;
                    return;
                }

                var destinationMac = MacAddress.Read(data);
                var sourceMac = MacAddress.Read(data[6..]);
                var ip = data[14..];
                var own = DeviceWithMac(sourceMac);
                if (own is not null)
                {
                    LearnNeighbour(ip, destinationMac, outgoing: true);
                    Outgoing(ip);
                    return;
                }

                var device = Named(captured.Interface.Name) ?? DeviceWithMac(destinationMac) ?? BySource(ip);
                LearnNeighbour(ip, sourceMac, outgoing: false);
                Incoming(device, data);
                return;
            }

            case CaptureLinkType.LinuxSll:
            {
                if (!LinuxSllHeader.TryCreate(data, out var sll) || sll.Protocol != EthernetHeader.EtherTypeIpv4)
                {
                    _summary.NotIpv4++;
                    return;
                }

                Cooked(sll.PacketType, sll.HardwareType, sll.Address, null, sll.Payload, captured.Interface.Name);
                return;
            }

            case CaptureLinkType.LinuxSll2:
            {
                if (!LinuxSll2Header.TryCreate(data, out var sll2) || sll2.Protocol != EthernetHeader.EtherTypeIpv4)
                {
                    _summary.NotIpv4++;
                    return;
                }

                Cooked(sll2.PacketType, sll2.HardwareType, sll2.Address, sll2.InterfaceIndex, sll2.Payload, captured.Interface.Name);
                return;
            }

            default:
            {
                if (data.Length < 20 || (data[0] >> 4) != 4)
                {
                    _summary.NotIpv4++;
                    return;
                }

                if (host.IsLocalAddress(Ipv4Address.Read(data[12..])))
                {
                    Outgoing(data);
                    return;
                }

                var device = Named(captured.Interface.Name) ?? BySource(data);
                Incoming(device, Framed(device, data, default, PacketType.Host));
                return;
            }
        }
    }

    // A cooked capture (tcpdump -i any): packet type 4 is outgoing; loopback traffic is replayed once, as sent.
    private void Cooked(int packetType, ushort hardwareType, ReadOnlySpan<byte> address, int? index, ReadOnlySpan<byte> ip,
        string? interfaceName)
    {
        const ushort loopback = 772;
        if (ip.Length < 20)
        {
            _summary.NotIpv4++;
            return;
        }

        if (packetType == 4)
        {
            Outgoing(ip);
            return;
        }

        if (hardwareType == loopback || packetType == 3)
        {
            // Loopback: Sekisho loops the host's own packets itself. Type 3: another host's frame, which the kernel ignores.
            _summary.Ignored++;
            return;
        }

        var device = (index is { } i ? _net.Host.Devices.FirstOrDefault(d => d.Index == i && !d.IsLoopback) : null)
            ?? Named(interfaceName) ?? BySource(ip);
        var source = address.Length == 6 ? MacAddress.Read(address) : default;
        LearnNeighbour(ip, source, outgoing: false);
        Incoming(device, Framed(device, ip, source, packetType switch
        {
            1 => PacketType.Broadcast,
            2 => PacketType.Multicast,
            _ => PacketType.Host,
        }));
    }

    private void Incoming(NetDevice device, ReadOnlySpan<byte> frame)
    {
        var result = _net.Receive(device, CompleteOffloadedChecksum(frame, device.HeaderLength));
        _summary.CountReceived(result.Fate);
    }

    private void Outgoing(ReadOnlySpan<byte> ip)
    {
        if (ip.Length < 20)
        {
            _summary.NotIpv4++;
            return;
        }

        if (!_net.Host.IsLocalAddress(Ipv4Address.Read(ip[12..])))
        {
            _summary.ForwardedCopies++;
            return;
        }

        if (TakeGenerated(ip))
        {
            _summary.RepliesInCapture++;
            return;
        }

        ip = CompleteOffloadedChecksum(ip, 0);
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var packet = _net.Pool.Rent();
        packet.LoadDatagram(total >= 20 && total <= ip.Length ? ip[..total] : ip);
        packet.Origin = PacketOrigin.Local;
        try
        {
            var result = _net.Send(packet);
            _summary.CountSent(result.Fate);
        }
        finally
        {
            _net.Conntrack.Release(packet);
            _net.Pool.Return(packet);
        }
    }

    // Checksum offload: a sender that leaves the TCP or UDP checksum to the hardware (CHECKSUM_PARTIAL) puts only the
    // pseudo-header sum in the field, and a capture on a veth peer or of the host's own packets shows it so. The
    // kernel trusted those packets (REJECT and conntrack skip the check), so replay completes the checksum first;
    // any other wrong checksum is left for the ruleset to see.
    private ReadOnlySpan<byte> CompleteOffloadedChecksum(ReadOnlySpan<byte> frame, int ipOffset)
    {
        if (frame.Length < ipOffset + 20)
        {
            return frame;
        }

        var ip = frame[ipOffset..];
        int ihl = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        byte protocol = ip[9];
        int field = protocol == 6 ? 16 : protocol == 17 ? 6 : -1;
        if (field < 0 || ihl < 20 || total > ip.Length || total < ihl + field + 2
            || (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0)
        {
            return frame;
        }

        var transport = ip[ihl..total];
        uint pseudo = Checksum.PseudoHeader(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), protocol, transport.Length);
        ushort stored = BinaryPrimitives.ReadUInt16BigEndian(transport[field..]);
        if (Checksum.Verify(transport, pseudo) || (protocol == 17 && stored == 0) || stored != (ushort)~Checksum.Finish(pseudo))
        {
            return frame;
        }

        if (_scratch.Length < frame.Length)
        {
            _scratch = new byte[Math.Max(frame.Length, 2 * _scratch.Length)];
        }

        var copy = _scratch.AsSpan(0, frame.Length);
        frame.CopyTo(copy);
        var fixedTransport = copy.Slice(ipOffset + ihl, transport.Length);
        fixedTransport[field] = 0;
        fixedTransport[field + 1] = 0;
        ushort sum = Checksum.Finish(Checksum.Add(fixedTransport, pseudo));
        BinaryPrimitives.WriteUInt16BigEndian(fixedTransport[field..], protocol == 17 && sum == 0 ? (ushort)0xFFFF : sum);
        _summary.ChecksumsCompleted++;
        return copy;
    }

    // A frame as the device would have received it: Ethernet devices get a header addressed to them.
    private static byte[] Framed(NetDevice device, ReadOnlySpan<byte> ip, MacAddress source, PacketType type)
    {
        var frame = new byte[14 + ip.Length];
        var destination = type switch
        {
            PacketType.Broadcast => MacAddress.Broadcast,
            PacketType.Multicast when ip.Length >= 20 => MacAddress.ForIpv4Group(Ipv4Address.Read(ip[16..])),
            _ => device.HardwareAddress,
        };
        destination.Write(frame);
        source.Write(frame.AsSpan(6));
        frame[12] = 0x08;
        ip.CopyTo(frame.AsSpan(14));
        return frame;
    }

    private NetDevice? Named(string? name) =>
        name is null ? null : _net.Host.FindDevice(name) is { IsLoopback: false } device ? device : null;

    private NetDevice? DeviceWithMac(MacAddress mac)
    {
        foreach (var device in _net.Host.Devices)
        {
            if (!device.IsLoopback && device.HardwareAddress == mac)
            {
                return device;
            }
        }

        return null;
    }

    // The interface whose subnet holds the source, else the one routing says, else the first.
    private NetDevice BySource(ReadOnlySpan<byte> ip)
    {
        var host = _net.Host;
        if (ip.Length >= 20)
        {
            var source = Ipv4Address.Read(ip[12..]);
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

            if (host.RouteOutput(source).Device is { IsLoopback: false } routed)
            {
                return routed;
            }
        }

        return host.Devices.First(d => !d.IsLoopback);
    }

    // Neighbours as the host would know them from ARP: the on-link peers' MACs (and the gateway's, for frames that
    // came through it), so that frames leaving the host carry the MACs the capture shows.
    private void LearnNeighbour(ReadOnlySpan<byte> ip, MacAddress mac, bool outgoing)
    {
        if (ip.Length < 20 || mac.Value == 0 || mac.IsMulticast)
        {
            return;
        }

        var host = _net.Host;
        var peer = Ipv4Address.Read(ip[(outgoing ? 16 : 12)..]);
        var route = host.RouteOutput(peer);
        if (route.Type != RouteType.Unicast || route.Device is null || route.Device.IsLoopback)
        {
            return;
        }

        if (!host.TryGetNeighbour(route.NextHop, out _))
        {
            host.AddNeighbour(route.NextHop, mac);
        }
    }

    /// <inheritdoc />
    public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame)
    {
        _summary.FramesOut++;
        if (packet.Origin == PacketOrigin.Generated)
        {
            _summary.RepliesGenerated++;
            _generated.Add((packet.Data.ToArray(), _clock.GetUtcNow()));
        }

        _out?.Write(frame, _clock.GetUtcNow());
    }

    // Whether the host's datagram in the capture is one the ruleset already generated (IP ID and checksum aside).
    private bool TakeGenerated(ReadOnlySpan<byte> ip)
    {
        var now = _clock.GetUtcNow();
        _generated.RemoveAll(g => now - g.Time > s_replyWindow);
        int total = Math.Min(ip.Length, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        for (int i = 0; i < _generated.Count; i++)
        {
            var candidate = _generated[i].Datagram;
            if (candidate.Length == total && SameButIdentification(candidate, ip[..total]))
            {
                _generated.RemoveAt(i);
                return true;
            }
        }

        return false;
    }

    // The same datagram but for what may differ between two equal replies: the IP identification and checksum, the
    // transport checksum, and in an ICMP error the quoted datagram's transport checksum (replay completes offloaded
    // checksums before the ruleset sees a packet, the kernel quoted the packet as it arrived).
    private static bool SameButIdentification(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (!a[..4].SequenceEqual(b[..4]) || !a[6..10].SequenceEqual(b[6..10]) || !a[12..20].SequenceEqual(b[12..20]))
        {
            return false;
        }

        int ihl = (a[0] & 0x0F) * 4;
        if (a.Length < ihl || !a[20..ihl].SequenceEqual(b[20..ihl]))
        {
            return false;
        }

        int skipStart = -1;
        int skipEnd = -1;
        int checksum = a[9] switch
        {
            1 => ihl + 2,
            6 => ihl + 16,
            17 => ihl + 6,
            _ => -1,
        };
        if (a[9] == 1 && a.Length >= ihl + 28 && a[ihl] is 3 or 4 or 5 or 11 or 12)
        {
            int quoted = ihl + 8;
            int quotedIhl = (a[quoted] & 0x0F) * 4;
            int field = a[quoted + 9] switch { 6 => 16, 17 => 6, _ => -1 };
            if (field >= 0)
            {
                skipStart = quoted + quotedIhl + field;
                skipEnd = skipStart + 2;
            }
        }

        for (int i = ihl; i < a.Length; i++)
        {
            if ((i == checksum || i == checksum + 1) || (i >= skipStart && i < skipEnd))
            {
                continue;
            }

            if (a[i] != b[i])
            {
                return false;
            }
        }

        return true;
    }

    // The MAC of an interface given without mac=: the source of the first frame from its address, or the
    // destination of the first frame to it.
    private static MacAddress? LearnMac(string path, Ipv4Address address)
    {
        using var reader = CaptureReader.Open(path, out _);
        if (reader is null)
        {
            return null;
        }

        for (int n = 0; n < 10000 && reader.TryRead(out var packet); n++)
        {
            var data = packet.Data.Span;
            if (packet.LinkType != CaptureLinkType.Ethernet || data.Length < 34 || BinaryPrimitives.ReadUInt16BigEndian(data[12..]) != 0x0800)
            {
                continue;
            }

            if (Ipv4Address.Read(data[26..]) == address)
            {
                return MacAddress.Read(data[6..]);
            }

            if (Ipv4Address.Read(data[30..]) == address && (data[0] & 1) == 0)
            {
                return MacAddress.Read(data);
            }
        }

        return null;
    }

    private static bool TryParse(IReadOnlyList<string> args, out ReplayOptions options, out string error)
    {
        options = new ReplayOptions();
        error = string.Empty;
        try
        {
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"option {arg} requires a value");
                switch (arg)
                {
                    case "-h":
                    case "--help":
                        options.Help = true;
                        return true;
                    case "--iface":
                        options.Interfaces.Add(TraceArguments.ParseInterface(Value()));
                        break;
                    case "--forwarding":
                        options.Forwarding = true;
                        break;
                    case "--out":
                    case "-o":
                        options.Out = Value();
                        break;
                    case "--quiet":
                    case "-q":
                        options.Quiet = true;
                        break;
                    default:
                        if (arg.StartsWith('-') && arg != "-")
                        {
                            throw new FormatException($"unknown option `{arg}'");
                        }

                        if (options.Capture is not null)
                        {
                            throw new FormatException($"unexpected argument `{arg}' (one capture at a time)");
                        }

                        options.Capture = arg;
                        break;
                }
            }
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }

        if (options.Capture is null)
        {
            error = "no capture file given";
            return false;
        }

        return true;
    }

    private sealed class ReplayOptions
    {
        public string? Capture { get; set; }

        public List<(string Name, Ipv4Address Address, int PrefixLength, MacAddress? Mac)> Interfaces { get; } = [];

        public bool Forwarding { get; set; }

        public string? Out { get; set; }

        public bool Quiet { get; set; }

        public bool Help { get; set; }
    }

    /// <summary>A progress bar on a terminal's standard error, for captures that take a while.</summary>
    private sealed class Progress
    {
        private readonly long _length;
        private readonly Stopwatch _watch = Stopwatch.StartNew();
        private long _lastDraw;
        private bool _drawn;

        private Progress(long length)
        {
            _length = length;
        }

        public static Progress? Create(string path, bool quiet)
        {
            if (quiet || Console.IsErrorRedirected)
            {
                return null;
            }

            long length = new FileInfo(path).Length;
            return length > 0 ? new Progress(length) : null;
        }

        public void Update(long position, long packets)
        {
            long now = _watch.ElapsedMilliseconds;
            if (now < 500 || now - _lastDraw < 100)
            {
                return;
            }

            _lastDraw = now;
            _drawn = true;
            int percent = (int)Math.Min(100, position * 100 / _length);
            int filled = percent * 30 / 100;
            Console.Error.Write($"\r[{new string('#', filled)}{new string(' ', 30 - filled)}] {percent,3}%  {packets} packets");
        }

        public void Finish()
        {
            if (_drawn)
            {
                Console.Error.Write("\r" + new string(' ', 60) + "\r");
            }
        }
    }
}
