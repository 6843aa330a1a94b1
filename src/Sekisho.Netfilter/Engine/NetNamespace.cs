using System.Buffers.Binary;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>A network namespace: the host model, the loaded ruleset, connection tracking, and the way packets take.</summary>
/// <remarks>
/// <para>
/// Sekisho's <c>struct net</c> with the IPv4 input and output paths around the netfilter hooks:
/// <see cref="Receive(NetDevice, ReadOnlySpan{byte})"/> runs <c>ip_rcv</c> (link-layer addressing, the IP header
/// checks that precede netfilter), PREROUTING, routing, then INPUT and delivery (<c>ip_local_deliver</c>, which
/// reassembles fragments first) or FORWARD (<c>ip_forward</c>: TTL, then the hook) and POSTROUTING;
/// <see cref="Send"/> runs OUTPUT and POSTROUTING for the host's own packets, looping packets for the host back
/// through <c>lo</c>.
/// </para>
/// <para>
/// Each hook runs its functions in the kernel's priority order: defragmentation (-400, when conntrack is in
/// use), raw (-300), conntrack (-200), mangle (-150), destination NAT (-100), filter (0), security (50), source
/// NAT (100), conntrack confirmation (last). Connection tracking runs only while some rule needs it, as the
/// kernel registers its hooks only then (<c>nf_ct_netns_get</c>).
/// </para>
/// <para>
/// Processing is single-threaded per namespace: the caller serialises packets. Packets generated while a packet
/// is processed (a REJECT reply, an echo reply) are processed at once, nested, as the kernel does.
/// </para>
/// </remarks>
public sealed class NetNamespace
{
    private const int NatDestinationPriority = -100;
    private const int NatSourcePriority = 100;

    private static readonly HookOp[] s_noOps = [];

    private readonly List<PacketContext> _contexts = [];
    private readonly Dictionary<(string Kind, string Name), SharedObject> _shared = [];
    private readonly HookOp[][] _hooks = [s_noOps, s_noOps, s_noOps, s_noOps, s_noOps];
    private readonly Action<Packet> _transmitFragment;
    private Dictionary<string, CompiledTable> _tables = new(StringComparer.Ordinal);
    private List<Action>? _atSwitch;
    private int _depth;

    /// <summary>Creates a namespace around a host model.</summary>
    public NetNamespace(HostModel host, TimeProvider? clock = null, IPacketLogSink? log = null)
    {
        Host = host;
        Clock = clock ?? TimeProvider.System;
        Log = log ?? NullPacketLogSink.Instance;
        Conntrack = new ConntrackTable(this);
        Stack = new LocalStack(this);
        Defragmenter = new IpDefragmenter(this);
        _transmitFragment = TransmitFragment;

        // masq_inet_event: connections masqueraded to an address die with it.
        host.AddressRemoved += (device, address) => Conntrack.KillMasqueraded(device, address);
    }

    /// <summary>The host model.</summary>
    public HostModel Host { get; }

    /// <summary>The clock: conntrack timeouts, rate limits and log times read it.</summary>
    public TimeProvider Clock { get; set; }

    /// <summary>The current time.</summary>
    public DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>The kernel's tick rate (<c>CONFIG_HZ</c> of the reference kernel).</summary>
    public const int Hz = 250;

    /// <summary>
    /// The current time in jiffies (ticks of <see cref="Hz"/> per second since 0001-01-01), for the algorithms whose
    /// results depend on the kernel's tick arithmetic (rate limits, conntrack timeouts).
    /// </summary>
    public ulong Jiffies => (ulong)Now.UtcTicks / (ulong)(TimeSpan.TicksPerSecond / Hz);

    /// <summary>Where LOG lines go.</summary>
    public IPacketLogSink Log { get; set; }

    /// <summary>Hears every step of every packet, when set.</summary>
    public IPacketTracer? Tracer { get; set; }

    /// <summary>Takes the frames that leave the host.</summary>
    public IPacketTransmitter? Transmitter { get; set; }

    /// <summary>
    /// Takes the datagrams INPUT accepted instead of <see cref="Stack"/>, when set (the live daemon hands them to the
    /// real host).
    /// </summary>
    public ILocalDelivery? LocalDelivery { get; set; }

    /// <summary>The connection tracking table.</summary>
    public ConntrackTable Conntrack { get; }

    /// <summary>IPv4 reassembly (conntrack's and local delivery's fragment queues).</summary>
    public IpDefragmenter Defragmenter { get; }

    /// <summary>The host's network stack: what it answers to packets delivered to it.</summary>
    public LocalStack Stack { get; }

    /// <summary>
    /// The random numbers of the namespace (the kernel's <c>get_random_u32()</c>, read by the statistic match);
    /// replace it with a seeded generator for reproducible runs.
    /// </summary>
    public Random Random { get; set; } = new();

    /// <summary>
    /// Whether tables compiled from now on walk their chains through a classifier (<see cref="Classifier.ClassifierMode.Auto"/>:
    /// chains long enough to gain from one) or always entry by entry (<see cref="Classifier.ClassifierMode.Linear"/>, the
    /// reference evaluator). Answers are the same either way; set it before <see cref="Load(Ruleset)"/>.
    /// </summary>
    public Classifier.ClassifierMode ClassifierMode { get; set; }

    /// <summary>The packets this namespace reuses.</summary>
    public PacketPool Pool { get; } = new();

    /// <summary>The ruleset loaded last.</summary>
    public Ruleset? Ruleset { get; private set; }

    /// <summary>The compiled tables by name.</summary>
    public IReadOnlyDictionary<string, CompiledTable> Tables => _tables;

    /// <summary>Whether connection tracking runs (some rule of the loaded ruleset needs it).</summary>
    public bool ConntrackEnabled { get; private set; }

    /// <summary>
    /// Loads a ruleset: compiles every table (creating the runtime state of matches and targets, as the kernel's
    /// checkentry functions do on each table replacement), switches the hooks over, then releases the old tables'
    /// state. The ruleset's counter cells are shared: the counts land in the model.
    /// </summary>
    public void Load(Ruleset ruleset) => Load(Prepare(ruleset));

    /// <summary>
    /// Compiles a ruleset without switching to it: the expensive half of <see cref="Load(Ruleset)"/>, which a caller
    /// may run while packets still flow through the current tables on another thread, then hand to
    /// <see cref="Load(PreparedRuleset)"/> while no packet runs.
    /// </summary>
    /// <remarks>
    /// Compiling reads the current tables (to take over their classifiers, which are never modified) and the
    /// namespace's shared objects (recent lists, hashlimit tables), which only the control side changes; a change a
    /// match would make to state the packet path uses (a recent list made larger) waits for the switch. Calls to
    /// <see cref="Prepare"/> and <see cref="Load(PreparedRuleset)"/> must not overlap one another.
    /// </remarks>
    public PreparedRuleset Prepare(Ruleset ruleset)
    {
        var atSwitch = new List<Action>();
        _atSwitch = atSwitch;
        try
        {
            var tables = new Dictionary<string, CompiledTable>(StringComparer.Ordinal);
            foreach (var table in ruleset.Tables)
            {
                tables.Add(table.Name, CompiledTable.Compile(table, this, _tables.GetValueOrDefault(table.Name)));
            }

            return new PreparedRuleset(ruleset, tables, _tables, atSwitch);
        }
        finally
        {
            _atSwitch = null;
        }
    }

    /// <summary>
    /// Switches to a ruleset <see cref="Prepare"/> compiled: the hooks run its tables from the next packet on, and
    /// the old tables' state is released. The caller makes sure no packet runs meanwhile.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another ruleset was loaded after this one was prepared.</exception>
    public void Load(PreparedRuleset prepared)
    {
        if (!ReferenceEquals(prepared.Previous, _tables))
        {
            throw new InvalidOperationException("Another ruleset was loaded after this one was prepared.");
        }

        foreach (var action in prepared.AtSwitch)
        {
            action();
        }

        var old = _tables;
        _tables = prepared.Tables;
        Ruleset = prepared.Ruleset;
        bool conntrack = false;
        foreach (var table in _tables.Values)
        {
            // iptable_nat's hooks need conntrack (nf_nat_ipv4_register_fn takes nf_ct_netns_get).
            conntrack |= table.Name == "nat" || table.UsesConntrack();
        }

        ConntrackEnabled = conntrack;
        RebuildHooks();
        foreach (var table in old.Values)
        {
            table.Destroy(this);
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> when the ruleset being compiled is switched to (at once outside
    /// <see cref="Prepare"/>): for a match's checkentry that changes state the packet path uses.
    /// </summary>
    public void AtSwitch(Action action)
    {
        if (_atSwitch is { } pending)
        {
            pending.Add(action);
        }
        else
        {
            action();
        }
    }

    /// <summary>
    /// A named object shared by the rules of the namespace (a recent list, a hashlimit table): created on first
    /// use, kept while some rule holds it, as the kernel keeps <c>/proc/net/xt_recent/NAME</c> across table
    /// replacements.
    /// </summary>
    public T Acquire<T>(string kind, string name, Func<T> create)
        where T : class
    {
        if (_shared.TryGetValue((kind, name), out var entry))
        {
            entry.References++;
            return (T)entry.Value;
        }

        var value = create();
        _shared.Add((kind, name), new SharedObject(value));
        return value;
    }

    /// <summary>Gives back a named object; the last release forgets it.</summary>
    public void Release(string kind, string name)
    {
        if (_shared.TryGetValue((kind, name), out var entry) && --entry.References == 0)
        {
            _shared.Remove((kind, name));
        }
    }

    /// <summary>The named object, when some rule holds it.</summary>
    public T? Find<T>(string kind, string name)
        where T : class =>
        _shared.TryGetValue((kind, name), out var entry) ? entry.Value as T : null;

    /// <summary>Receives a frame on a device: the link-layer header the device type uses, then the datagram.</summary>
    public PacketResult Receive(NetDevice device, ReadOnlySpan<byte> frame)
    {
        var packet = Pool.Rent();
        packet.LoadFrame(frame, Math.Min(device.HeaderLength, frame.Length));
        packet.InDevice = device;
        packet.Timestamp = Now;
        return Receive(packet, owned: true);
    }

    /// <summary>
    /// Receives a packet whose frame is loaded and whose <see cref="Packet.InDevice"/> is set. With
    /// <paramref name="owned"/>, the namespace returns the packet to its pool when done.
    /// </summary>
    public PacketResult Receive(Packet packet, bool owned = false)
    {
        _depth++;
        try
        {
            var result = ReceiveCore(packet);
            return result;
        }
        finally
        {
            _depth--;
            if (owned && Tracer is null)
            {
                Finish(packet);
            }
        }
    }

    /// <summary>
    /// Sends a datagram from a process of the host (<c>ip_local_out</c>): its total length and header checksum are
    /// filled in, then it is routed and goes through OUTPUT and POSTROUTING.
    /// </summary>
    public PacketResult Send(Packet packet)
    {
        _depth++;
        try
        {
            if (packet.Origin == PacketOrigin.Received)
            {
                packet.Origin = PacketOrigin.Local;
            }

            if (packet.Timestamp == default)
            {
                packet.Timestamp = Now;
            }

            return LocalOut(packet);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>
    /// Sends a packet the stack or a target generated while processing another one (a REJECT reply, an echo reply,
    /// an ICMP error): processed at once, then returned to the pool.
    /// </summary>
    public PacketResult SendGenerated(Packet packet, Packet? cause)
    {
        packet.Origin = PacketOrigin.Generated;
        packet.Timestamp = cause?.Timestamp ?? Now;
        if (Tracer is { } tracer && cause is not null)
        {
            tracer.Note(cause, TraceNote.Reply, Describe(packet));
        }

        var result = Send(packet);
        if (Tracer is null)
        {
            Finish(packet);
        }

        return result;
    }

    /// <summary>A one-line description of a packet's addresses and protocol, for traces.</summary>
    public static string Describe(Packet packet)
    {
        var data = packet.Data;
        if (data.Length < 20)
        {
            return $"{data.Length} bytes";
        }

        var source = Ipv4Address.Read(data[12..]);
        var destination = Ipv4Address.Read(data[16..]);
        int ihl = (data[0] & 0x0F) * 4;
        byte protocol = data[9];
        bool first = (BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x1FFF) == 0;
        string detail = protocol switch
        {
            6 when first && data.Length >= ihl + 14 =>
                $"TCP {source}:{BinaryPrimitives.ReadUInt16BigEndian(data[ihl..])} > {destination}:{BinaryPrimitives.ReadUInt16BigEndian(data[(ihl + 2)..])} {TcpFlags(data[ihl + 13])}",
            17 when first && data.Length >= ihl + 4 =>
                $"UDP {source}:{BinaryPrimitives.ReadUInt16BigEndian(data[ihl..])} > {destination}:{BinaryPrimitives.ReadUInt16BigEndian(data[(ihl + 2)..])}",
            1 when first && data.Length >= ihl + 2 => $"ICMP {source} > {destination} type {data[ihl]} code {data[ihl + 1]}",
            _ => $"proto {protocol} {source} > {destination}",
        };
        return $"{detail} len {packet.Length}";
    }

    private static string TcpFlags(byte flags)
    {
        string[] names = ["FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"];
        var parts = new List<string>();
        foreach (int bit in new[] { 1, 2, 3, 4, 0, 5, 6, 7 })
        {
            if ((flags & (1 << bit)) != 0)
            {
                parts.Add(names[bit]);
            }
        }

        return parts.Count == 0 ? "[none]" : "[" + string.Join(',', parts) + "]";
    }

    /// <summary>
    /// Runs only the functions of one hook on a packet (tables, and conntrack when in use), without routing or
    /// delivery: the evaluator alone, for benchmarks and equivalence tests. Returns <see cref="NfVerdict.Accept"/>,
    /// <see cref="NfVerdict.Drop"/> or <see cref="NfVerdict.Stolen"/>.
    /// </summary>
    public uint Evaluate(Hook hook, Packet packet, NetDevice? inDevice, NetDevice? outDevice)
    {
        _depth++;
        try
        {
            return RunHook(hook, packet, inDevice, outDevice, out _);
        }
        finally
        {
            _depth--;
        }
    }

    /// <summary>Runs the functions of a hook; returns the verdict (<see cref="NfVerdict.Accept"/>, Drop or Stolen) and where a drop happened.</summary>
    internal uint RunHook(Hook hook, Packet packet, NetDevice? inDevice, NetDevice? outDevice, out string? droppedBy)
    {
        droppedBy = null;
        var ops = _hooks[(int)hook];
        if (ops.Length == 0)
        {
            return NfVerdict.Accept;
        }

        var context = ContextAt(_depth);
        context.Packet = packet;
        context.Hook = hook;
        context.In = inDevice;
        context.Out = outDevice;
        Tracer?.Note(packet, TraceNote.Hook, TableDefinition.ChainNameOf(hook));
        foreach (var op in ops)
        {
            uint verdict = op.Step switch
            {
                HookStep.Defragment => Conntrack.Defragment(context),
                HookStep.ConntrackIn => ConntrackIn(context),
                HookStep.Confirm => Conntrack.Confirm(context),
                HookStep.NatTable => NatCore.RunHook(op.Table!, context),
                _ => RunTable(op.Table!, context),
            };
            switch (verdict)
            {
                case NfVerdict.Accept:
                    continue;
                case NfVerdict.Stolen:
                    droppedBy = op.Table?.Name;
                    return NfVerdict.Stolen;
                default:
                    // DROP, and QUEUE with nobody listening, free the packet.
                    droppedBy = op.Table?.Name;
                    return NfVerdict.Drop;
            }
        }

        return NfVerdict.Accept;
    }

    private uint ConntrackIn(PacketContext context)
    {
        uint verdict = Conntrack.In(context);
        if (Tracer is { } tracer)
        {
            var packet = context.Packet;
            tracer.Note(packet, TraceNote.Conntrack, packet.Conntrack is null && packet.CtInfo != CtInfo.Untracked
                ? "INVALID (no connection)"
                : CtInfoName(packet.CtInfo));
        }

        return verdict;
    }

    /// <summary>The name of a packet's conntrack state, as the state match knows them.</summary>
    public static string CtInfoName(CtInfo info) => info switch
    {
        CtInfo.New => "NEW",
        CtInfo.Established => "ESTABLISHED (original direction)",
        CtInfo.EstablishedReply => "ESTABLISHED (reply direction)",
        CtInfo.Related => "RELATED (original direction)",
        CtInfo.RelatedReply => "RELATED (reply direction)",
        CtInfo.Untracked => "UNTRACKED",
        _ => info.ToString(),
    };

    private static uint RunTable(CompiledTable table, PacketContext context)
    {
        if (context.Hook == Hook.LocalOut && table.Name == "mangle")
        {
            return RunMangleOutput(table, context);
        }

        return table.Run(context);
    }

    // iptable_mangle's OUTPUT function reroutes a packet whose addresses, mark or TOS its rules changed.
    private static uint RunMangleOutput(CompiledTable table, PacketContext context)
    {
        var packet = context.Packet;
        var data = packet.Data;
        uint source = BinaryPrimitives.ReadUInt32BigEndian(data[12..]);
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        byte tos = data[1];
        uint mark = packet.Mark;
        uint verdict = table.Run(context);
        if (verdict != NfVerdict.Drop && verdict != NfVerdict.Stolen)
        {
            data = packet.Data;
            if (BinaryPrimitives.ReadUInt32BigEndian(data[12..]) != source
                || BinaryPrimitives.ReadUInt32BigEndian(data[16..]) != destination
                || data[1] != tos || packet.Mark != mark)
            {
                // ip_route_me_harder failing drops the packet.
                if (!context.Net.Reroute(packet))
                {
                    return NfVerdict.Drop;
                }

                context.Out = packet.OutDevice;
            }
        }

        return verdict;
    }

    private PacketResult ReceiveCore(Packet packet)
    {
        var device = packet.InDevice ?? throw new ArgumentException("The packet has no input device.", nameof(packet));
        Tracer?.Note(packet, TraceNote.Entered, $"received on {device.Name}");
        if (!ClassifyFrame(packet, device))
        {
            return new PacketResult(PacketFate.Ignored);
        }

        if (!CheckInputHeader(packet))
        {
            Tracer?.Note(packet, TraceNote.Dropped, "malformed IPv4 header (dropped before netfilter, as ip_rcv does)");
            return new PacketResult(PacketFate.Malformed);
        }

        packet.Origin = PacketOrigin.Received;
        uint verdict = RunHook(Hook.PreRouting, packet, device, null, out string? table);
        if (verdict != NfVerdict.Accept)
        {
            return Dropped(packet, verdict, Hook.PreRouting, table);
        }

        var ip = packet.Data;
        var destination = Ipv4Address.Read(ip[16..]);
        var source = Ipv4Address.Read(ip[12..]);
        RouteResult route;
        if (device.IsLoopback)
        {
            route = new RouteResult(Host.AddressType(destination) == RouteType.Broadcast ? RouteType.Broadcast : RouteType.Local,
                device, destination, default);
        }
        else
        {
            if (IsMartian(source, destination, device))
            {
                Tracer?.Note(packet, TraceNote.Dropped, "martian address (dropped by routing)");
                Conntrack.Release(packet);
                return new PacketResult(PacketFate.Unroutable);
            }

            route = Host.RouteInput(destination, source, device);
        }

        packet.RouteType = route.Type;
        switch (route.Type)
        {
            case RouteType.Local:
            case RouteType.Broadcast:
                Tracer?.Note(packet, TraceNote.Routing, $"{destination} is local: INPUT");
                return LocalDeliver(packet, device);
            case RouteType.Multicast when route.Device is not null:
                Tracer?.Note(packet, TraceNote.Routing, $"{destination} is a group {device.Name} joined: INPUT");
                return LocalDeliver(packet, device);
            case RouteType.Unicast when route.Device is not null:
                packet.OutDevice = route.Device;
                packet.NextHop = route.NextHop;
                Tracer?.Note(packet, TraceNote.Routing, $"forward to {destination} via {route.Device.Name}");
                return Forward(packet, device, route.Device);
            default:
                Tracer?.Note(packet, TraceNote.Dropped, route.Type == RouteType.Multicast
                    ? $"{destination} is a group {device.Name} has not joined (no multicast routing)"
                    : Host.Forwarding
                        ? $"no route to {destination}"
                        : $"{destination} is not local and forwarding is off");
                if (route.Type == RouteType.Unreachable && Host.Forwarding)
                {
                    // ip_error: a forwarding host answers with network unreachable.
                    Stack.SendUnreachable(packet);
                }

                Conntrack.Release(packet);
                return new PacketResult(PacketFate.Unroutable);
        }
    }

    // eth_type_trans: IPv4 frames only; the destination MAC gives the packet type; another host's frames stop here.
    private static bool ClassifyFrame(Packet packet, NetDevice device)
    {
        var mac = packet.MacHeader;
        if (device.Type == DeviceType.None || mac.Length < 14)
        {
            packet.PacketType = PacketType.Host;
            return device.Type == DeviceType.None || device.IsLoopback || mac.Length == 0;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(mac[12..]) != 0x0800)
        {
            return false;
        }

        var destination = MacAddress.Read(mac);
        if (destination.IsMulticast)
        {
            packet.PacketType = destination == MacAddress.Broadcast ? PacketType.Broadcast : PacketType.Multicast;
        }
        else if (destination != device.HardwareAddress && !device.IsLoopback)
        {
            packet.PacketType = PacketType.OtherHost;
            return false;
        }
        else
        {
            packet.PacketType = PacketType.Host;
        }

        return true;
    }

    // ip_rcv_core: version, header length, checksum and total length are checked before PREROUTING; link-layer
    // padding is trimmed.
    private static bool CheckInputHeader(Packet packet)
    {
        var data = packet.Data;
        if (data.Length < Ipv4Header.MinimumLength || (data[0] >> 4) != 4 || (data[0] & 0x0F) < 5)
        {
            return false;
        }

        int ihl = (data[0] & 0x0F) * 4;
        if (data.Length < ihl || !Checksum.Verify(data[..ihl]))
        {
            return false;
        }

        int total = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        if (total > data.Length || total < ihl)
        {
            return false;
        }

        packet.Trim(total);
        return true;
    }

    // ip_route_input_slow's martian checks: multicast, limited broadcast, zero and loopback sources; zero and
    // loopback destinations; and fib_validate_source's without rp_filter: a source that is one of the host's own
    // addresses does not come from outside (accept_local is off). A broadcast source passes.
    private bool IsMartian(Ipv4Address source, Ipv4Address destination, NetDevice device)
    {
        uint s = source.Value;
        uint d = destination.Value;
        if (source.IsMulticast || source == Ipv4Address.Broadcast)
        {
            return true;
        }

        if (destination == Ipv4Address.Broadcast)
        {
            return s != 0 && Host.AddressType(source) == RouteType.Local;
        }

        if ((s >> 24) == 0 || (s >> 24) == 127)
        {
            return true;
        }

        if ((d >> 24) == 0 || ((d >> 24) == 127 && !device.IsLoopback))
        {
            return true;
        }

        return Host.AddressType(source) == RouteType.Local;
    }

    private PacketResult LocalDeliver(Packet packet, NetDevice device)
    {
        if (IsFragment(packet.Data))
        {
            if (!Conntrack.Reassemble(packet))
            {
                Tracer?.Note(packet, TraceNote.Held, "fragment held for reassembly before INPUT");
                return new PacketResult(PacketFate.Held);
            }
        }

        uint verdict = RunHook(Hook.LocalIn, packet, device, null, out string? table);
        if (verdict != NfVerdict.Accept)
        {
            return Dropped(packet, verdict, Hook.LocalIn, table);
        }

        Tracer?.Note(packet, TraceNote.Delivered, "delivered to the host");
        if (LocalDelivery is { } delivery)
        {
            delivery.Deliver(packet);
        }
        else
        {
            Stack.Deliver(packet);
        }

        return new PacketResult(PacketFate.Delivered);
    }

    // ip_forward: only frames addressed to this host; TTL 1 is answered with time exceeded; a datagram too big
    // for the output device with DF set with fragmentation needed; the TTL is decremented before FORWARD.
    private PacketResult Forward(Packet packet, NetDevice inDevice, NetDevice outDevice)
    {
        if (packet.PacketType != PacketType.Host)
        {
            Conntrack.Release(packet);
            return new PacketResult(PacketFate.Unroutable);
        }

        var data = packet.Data;
        if (data[8] <= 1)
        {
            Tracer?.Note(packet, TraceNote.Dropped, "TTL exceeded in transit");
            Stack.SendIcmpError(packet, 11, 0, 0);
            Conntrack.Release(packet);
            return new PacketResult(PacketFate.Unroutable);
        }

        // ip_exceeds_mtu: a datagram conntrack reassembled (ignore_df) is too big only when one of its fragments was.
        if (packet.Length > outDevice.Mtu && (data[6] & 0x40) != 0
            && (packet.FragmentMaxSize == 0 || packet.FragmentMaxSize > outDevice.Mtu)
            && !packet.GsoSegmentsFit(outDevice.Mtu))
        {
            Tracer?.Note(packet, TraceNote.Dropped, $"needs fragmentation (MTU {outDevice.Mtu}) but DF is set");
            Stack.SendIcmpError(packet, 3, 4, (uint)outDevice.Mtu);
            Conntrack.Release(packet);
            return new PacketResult(PacketFate.Unroutable);
        }

        DecreaseTtl(data);
        uint verdict = RunHook(Hook.Forward, packet, inDevice, outDevice, out string? table);
        if (verdict != NfVerdict.Accept)
        {
            return Dropped(packet, verdict, Hook.Forward, table);
        }

        return PostRouting(packet, inDevice, PacketFate.Forwarded);
    }

    // ip_decrease_ttl: the checksum is updated incrementally (RFC 1624), as the kernel does.
    private static void DecreaseTtl(Span<byte> data)
    {
        uint check = BinaryPrimitives.ReadUInt16BigEndian(data[10..]);
        check += 0x0100;
        check = (check + (check >= 0xFFFF ? 1u : 0u)) & 0xFFFF;
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], (ushort)check);
        data[8]--;
    }

    private PacketResult LocalOut(Packet packet)
    {
        var data = packet.Data;
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], (ushort)packet.Length);
        data[10] = 0;
        data[11] = 0;
        int ihl = (data[0] & 0x0F) * 4;
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], Checksum.Compute(data[..ihl]));
        if (!Reroute(packet))
        {
            Tracer?.Note(packet, TraceNote.Dropped, $"no route to {Ipv4Address.Read(data[16..])}");
            return new PacketResult(PacketFate.Unroutable);
        }

        Tracer?.Note(packet, TraceNote.Entered, $"sent by the host through {packet.OutDevice!.Name}");
        uint verdict = RunHook(Hook.LocalOut, packet, null, packet.OutDevice, out string? table);
        if (verdict != NfVerdict.Accept)
        {
            return Dropped(packet, verdict, Hook.LocalOut, table);
        }

        return PostRouting(packet, null, PacketFate.Sent);
    }

    /// <summary>Routes (or reroutes, <c>ip_route_me_harder</c>) a packet the host sends by its destination.</summary>
    internal bool Reroute(Packet packet)
    {
        var destination = Ipv4Address.Read(packet.Data[16..]);
        var outputInterface = packet.OutputInterface;
        if (outputInterface is null && (destination.IsMulticast || destination == Ipv4Address.Broadcast))
        {
            // ip_route_output_key_hash_rcu: a multicast or limited-broadcast datagram from a socket bound to one of
            // the host's addresses leaves through that address's device, without a route lookup.
            outputInterface = Host.DeviceWithAddress(Ipv4Address.Read(packet.Data[12..]));
        }

        var route = Host.RouteOutput(destination, outputInterface);
        if (route.Device is null)
        {
            return false;
        }

        packet.OutDevice = route.Device;
        packet.NextHop = route.NextHop;
        packet.RouteType = route.Type;
        return true;
    }

    private PacketResult PostRouting(Packet packet, NetDevice? inDevice, PacketFate fate)
    {
        var outDevice = packet.OutDevice!;
        uint verdict = RunHook(Hook.PostRouting, packet, inDevice, outDevice, out string? table);
        if (verdict != NfVerdict.Accept)
        {
            return Dropped(packet, verdict, Hook.PostRouting, table);
        }

        if (outDevice.IsLoopback)
        {
            return Loop(packet, fate);
        }

        // ip_finish_output: a datagram larger than the MTU, or one that was reassembled, goes through ip_fragment;
        // a GSO datagram whose segments fit leaves whole, for the device to segment (ip_finish_output_gso).
        if (IpFragmenter.Needed(packet, outDevice.Mtu) && !packet.GsoSegmentsFit(outDevice.Mtu))
        {
            if ((packet.Data[6] & 0x40) != 0 && packet.FragmentMaxSize == 0)
            {
                Tracer?.Note(packet, TraceNote.Dropped, $"needs fragmentation (MTU {outDevice.Mtu}) but DF is set");
                Stack.SendIcmpError(packet, 3, 4, (uint)outDevice.Mtu);
                return new PacketResult(PacketFate.Unroutable);
            }

            IpFragmenter.Fragment(this, packet, outDevice.Mtu, _transmitFragment);
            return new PacketResult(fate);
        }

        Transmit(packet, outDevice);
        return new PacketResult(fate);
    }

    private void TransmitFragment(Packet fragment) => Transmit(fragment, fragment.OutDevice!);

    // loopback_xmit: the packet comes back in on lo with an all-zero Ethernet header and its route kept, without its
    // socket.
    private PacketResult Loop(Packet packet, PacketFate fate)
    {
        Tracer?.Note(packet, TraceNote.Transmitted, "looped back through lo");
        var looped = Pool.Rent();
        Span<byte> header = stackalloc byte[14];
        header[12] = 0x08;
        var frame = packet.Frame(header);
        looped.LoadFrame(frame, 14);
        looped.InDevice = Host.Loopback;
        looped.Timestamp = packet.Timestamp;
        looped.Mark = packet.Mark;
        looped.Conntrack = packet.Conntrack;
        looped.CtInfo = packet.CtInfo;
        looped.PacketType = PacketType.Host;

        // The socket stays behind: loopback_xmit orphans the skb, so INPUT (LOG --log-uid) sees no owner.
        looped.Socket = null;
        Tracer?.Continued(packet, looped);
        var result = Receive(looped, owned: true);
        return result.Fate == PacketFate.Delivered ? new PacketResult(fate) : result;
    }

    private void Transmit(Packet packet, NetDevice device)
    {
        Tracer?.Note(packet, TraceNote.Transmitted, $"out through {device.Name}");
        var transmitter = Transmitter;
        if (transmitter is null)
        {
            return;
        }

        if (device.Type == DeviceType.Ethernet)
        {
            Span<byte> header = stackalloc byte[14];
            var destination = packet.RouteType switch
            {
                RouteType.Broadcast => MacAddress.Broadcast,
                RouteType.Multicast => MacAddress.ForIpv4Group(packet.NextHop),
                _ => Host.TryGetNeighbour(packet.NextHop, out var known) ? known : default,
            };
            destination.Write(header);
            device.HardwareAddress.Write(header[6..]);
            header[12] = 0x08;
            header[13] = 0x00;
            transmitter.Transmit(device, packet, packet.Frame(header));
        }
        else
        {
            transmitter.Transmit(device, packet, packet.Frame([]));
        }
    }

    private PacketResult Dropped(Packet packet, uint verdict, Hook hook, string? table)
    {
        if (verdict == NfVerdict.Stolen)
        {
            Tracer?.Note(packet, TraceNote.Held, $"held at {TableDefinition.ChainNameOf(hook)}");
            return new PacketResult(PacketFate.Held, hook, table);
        }

        Tracer?.Note(packet, TraceNote.Dropped, table is null
            ? $"dropped at {TableDefinition.ChainNameOf(hook)}"
            : $"dropped by {table} {TableDefinition.ChainNameOf(hook)}");
        Conntrack.Release(packet);
        return new PacketResult(PacketFate.Dropped, hook, table);
    }

    private void Finish(Packet packet)
    {
        Conntrack.Release(packet);
        Pool.Return(packet);
    }

    private static bool IsFragment(ReadOnlySpan<byte> data) => (BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x3FFF) != 0;

    private PacketContext ContextAt(int depth)
    {
        while (_contexts.Count <= depth)
        {
            _contexts.Add(new PacketContext(this));
        }

        return _contexts[depth];
    }

    private void RebuildHooks()
    {
        var lists = new List<HookOp>[5];
        for (int hook = 0; hook < 5; hook++)
        {
            lists[hook] = [];
        }

        if (ConntrackEnabled)
        {
            lists[(int)Hook.PreRouting].Add(new HookOp(HookStep.Defragment, -400, null));
            lists[(int)Hook.LocalOut].Add(new HookOp(HookStep.Defragment, -400, null));
            lists[(int)Hook.PreRouting].Add(new HookOp(HookStep.ConntrackIn, -200, null));
            lists[(int)Hook.LocalOut].Add(new HookOp(HookStep.ConntrackIn, -200, null));
            lists[(int)Hook.LocalIn].Add(new HookOp(HookStep.Confirm, int.MaxValue, null));
            lists[(int)Hook.PostRouting].Add(new HookOp(HookStep.Confirm, int.MaxValue, null));
        }

        foreach (var table in _tables.Values)
        {
            for (int hook = 0; hook < 5; hook++)
            {
                if (!table.HasHook((Hook)hook))
                {
                    continue;
                }

                if (table.Name == "nat")
                {
                    int priority = (Hook)hook is Hook.PreRouting or Hook.LocalOut ? NatDestinationPriority : NatSourcePriority;
                    lists[hook].Add(new HookOp(HookStep.NatTable, priority, table));
                }
                else
                {
                    lists[hook].Add(new HookOp(HookStep.Table, table.Source.Definition.Priority, table));
                }
            }
        }

        for (int hook = 0; hook < 5; hook++)
        {
            // A stable sort: functions of equal priority run in registration order.
            _hooks[hook] = [.. lists[hook].OrderBy(op => op.Priority)];
        }
    }

    private enum HookStep : byte
    {
        Defragment,
        ConntrackIn,
        Table,
        NatTable,
        Confirm,
    }

    private readonly record struct HookOp(HookStep Step, int Priority, CompiledTable? Table);

    private sealed class SharedObject(object value)
    {
        public object Value { get; } = value;

        public int References { get; set; } = 1;
    }
}
