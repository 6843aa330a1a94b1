using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Tracing;

/// <summary>Records every step of the packets a namespace processes, nesting the packets they cause.</summary>
/// <remarks>
/// Set as <see cref="NetNamespace.Tracer"/>. A packet generated while another is processed (a REJECT reply, an
/// echo reply) is recorded one level deeper than its cause, as the kernel processes it nested.
/// </remarks>
public sealed class TraceRecorder : IPacketTracer, IPacketLogSink
{
    private readonly Dictionary<Packet, int> _depths = new(ReferenceEqualityComparer.Instance);
    private int _pendingReplyDepth = -1;

    /// <summary>The recorded steps, in order.</summary>
    public List<TraceEvent> Events { get; } = [];

    /// <summary>Forgets the packets seen so far (a new traced packet starts at depth 0).</summary>
    public void StartPacket()
    {
        _depths.Clear();
        _pendingReplyDepth = -1;
    }

    /// <inheritdoc />
    public void TableStarted(PacketContext context) =>
        Add(context.Packet, TraceEventKind.Table, context.Table!.Name, context.Table.Name);

    /// <inheritdoc />
    public void EntryMissed(PacketContext context, CompiledEntry entry) =>
        Add(context.Packet, TraceEventKind.Missed, string.Empty, context.Table!.Name, entry);

    /// <inheritdoc />
    public void EntryMatched(PacketContext context, CompiledEntry entry) =>
        Add(context.Packet, TraceEventKind.Matched, string.Empty, context.Table!.Name, entry);

    /// <inheritdoc />
    public void EntryVerdict(PacketContext context, CompiledEntry entry, uint verdict) =>
        Add(context.Packet, TraceEventKind.EntryVerdict, NfVerdict.NameOf(verdict), context.Table!.Name, entry, verdict);

    /// <inheritdoc />
    public void TableFinished(PacketContext context, uint verdict) =>
        Add(context.Packet, TraceEventKind.TableVerdict, NfVerdict.NameOf(verdict), context.Table!.Name, null, verdict);

    /// <inheritdoc />
    public void Continued(Packet from, Packet to) => _depths[to] = DepthOf(from);

    /// <inheritdoc />
    public void Note(Packet packet, TraceNote kind, string detail)
    {
        Add(packet, kind switch
        {
            TraceNote.Entered => TraceEventKind.Entered,
            TraceNote.Hook => TraceEventKind.Hook,
            TraceNote.Routing => TraceEventKind.Routing,
            TraceNote.Conntrack => TraceEventKind.Conntrack,
            TraceNote.Log => TraceEventKind.Log,
            TraceNote.Reply => TraceEventKind.Reply,
            TraceNote.Delivered => TraceEventKind.Delivered,
            TraceNote.Transmitted => TraceEventKind.Transmitted,
            TraceNote.Dropped => TraceEventKind.Dropped,
            TraceNote.Nat => TraceEventKind.Nat,
            _ => TraceEventKind.Held,
        }, detail);
        if (kind == TraceNote.Reply)
        {
            _pendingReplyDepth = DepthOf(packet) + 1;
        }
    }

    /// <summary>Records a log line against the packet being processed (use the recorder as the namespace's log sink too).</summary>
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
        int depth = _lastDepth;
        Events.Add(new TraceEvent(depth, TraceEventKind.Log, message.ToString()));
        LogLines.Add((level, message.ToString(), time));
    }

    /// <summary>The log lines written, with their level and time.</summary>
    public List<(int Level, string Message, DateTimeOffset Time)> LogLines { get; } = [];

    private int _lastDepth;

    private void Add(Packet packet, TraceEventKind kind, string text, string? table = null, CompiledEntry? entry = null,
        uint verdict = NfVerdict.Continue)
    {
        int depth = DepthOf(packet);
        _lastDepth = depth;
        Events.Add(new TraceEvent(depth, kind, text, table, entry, verdict));
    }

    private int DepthOf(Packet packet)
    {
        if (_depths.TryGetValue(packet, out int depth))
        {
            return depth;
        }

        depth = _pendingReplyDepth >= 0 ? _pendingReplyDepth : 0;
        _pendingReplyDepth = -1;
        _depths.Add(packet, depth);
        return depth;
    }
}
