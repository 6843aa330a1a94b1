namespace Sekisho.Netfilter.Engine;

/// <summary>A pool of <see cref="Packet"/> objects, so that steady traffic allocates nothing.</summary>
/// <remarks>Not thread-safe: each processing thread owns its pool, as each CPU owns its skb caches.</remarks>
public sealed class PacketPool
{
    private readonly Stack<Packet> _free = new();
    private readonly int _capacity;

    /// <summary>Creates a pool whose new packets hold <paramref name="capacity"/> bytes.</summary>
    public PacketPool(int capacity = 2048)
    {
        _capacity = capacity;
    }

    /// <summary>A packet from the pool, or a new one when the pool is empty.</summary>
    public Packet Rent() => _free.TryPop(out var packet) ? packet : new Packet(_capacity);

    /// <summary>Returns a packet to the pool.</summary>
    public void Return(Packet packet)
    {
        packet.ResetMetadata();
        _free.Push(packet);
    }
}
