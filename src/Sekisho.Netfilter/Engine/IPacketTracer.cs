namespace Sekisho.Netfilter.Engine;

/// <summary>Receives every step of a packet's way through a namespace, for <c>sekisho trace</c> and tests.</summary>
/// <remarks>
/// The kernel's TRACE target and <c>nf_trace</c>, widened: not only the rules that matched, but every entry
/// visited, the hooks, and what the stack did around them. A namespace without a tracer pays one null check per
/// entry.
/// </remarks>
public interface IPacketTracer
{
    /// <summary>A table starts walking the chain of the context's hook.</summary>
    void TableStarted(PacketContext context);

    /// <summary>An entry did not match (its IP part or one of its matches said no).</summary>
    void EntryMissed(PacketContext context, CompiledEntry entry);

    /// <summary>An entry matched and counted the packet; its target acts next.</summary>
    void EntryMatched(PacketContext context, CompiledEntry entry);

    /// <summary>The target of a matched entry gave <paramref name="verdict"/> (<see cref="NfVerdict.Continue"/> for jumps, goto and RETURN).</summary>
    void EntryVerdict(PacketContext context, CompiledEntry entry, uint verdict);

    /// <summary>The table's walk ended with <paramref name="verdict"/>.</summary>
    void TableFinished(PacketContext context, uint verdict);

    /// <summary>A packet goes on as another packet object (looped back through <c>lo</c>, reassembled).</summary>
    void Continued(Packet from, Packet to);

    /// <summary>Something else happened to the packet (routing, conntrack, a log line, a reply, delivery, a drop).</summary>
    void Note(Packet packet, TraceNote kind, string detail);
}
