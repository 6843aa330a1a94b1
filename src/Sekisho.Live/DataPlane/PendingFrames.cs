using Sekisho.Packets;

namespace Sekisho.Live.DataPlane;

/// <summary>
/// Frames waiting for their next hop's MAC address, as the kernel's neighbour queue (<c>arp_queue</c>) keeps them
/// while ARP resolves: sent when the answer comes, dropped after <see cref="Lifetime"/>.
/// </summary>
/// <remarks>
/// A fixed number of slots whose buffers are kept and reused (a slot grows once for a larger frame); when every slot
/// is taken the oldest frame is dropped, as the kernel drops the oldest of a full queue.
/// </remarks>
internal sealed class PendingFrames
{
    /// <summary>How long a frame waits for its neighbour (the kernel's three probes a second apart).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(3);

    private readonly Slot[] _slots;

    /// <summary>Creates a queue of <paramref name="capacity"/> frames.</summary>
    public PendingFrames(int capacity = 64)
    {
        _slots = new Slot[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new Slot();
        }
    }

    /// <summary>Frames dropped because their neighbour did not answer in time or the queue was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Keeps a frame for <paramref name="nextHop"/>, to leave through <paramref name="link"/>.</summary>
    public void Add(Link link, Ipv4Address nextHop, ReadOnlySpan<byte> frame, byte gsoType, int gsoSize)
    {
        long now = Environment.TickCount64;
        Slot? chosen = null;
        foreach (var slot in _slots)
        {
            if (slot.Link is null || now - slot.Since > Lifetime.TotalMilliseconds)
            {
                Drop(slot);
                chosen = slot;
                break;
            }

            if (chosen is null || slot.Since < chosen.Since)
            {
                chosen = slot;
            }
        }

        Drop(chosen!);
        chosen!.Store(link, nextHop, frame, now);
        chosen.GsoType = gsoType;
        chosen.GsoSize = gsoSize;
    }

    /// <summary>Sends the frames waiting for <paramref name="address"/>, addressed to <paramref name="mac"/>.</summary>
    public void Resolved(Ipv4Address address, MacAddress mac)
    {
        long now = Environment.TickCount64;
        foreach (var slot in _slots)
        {
            if (slot.Link is not { } link || slot.NextHop != address)
            {
                continue;
            }

            if (now - slot.Since <= Lifetime.TotalMilliseconds)
            {
                var frame = slot.Frame;
                mac.Write(frame);
                link.ToWireQueue.Put(frame, slot.GsoType, slot.GsoSize);
                link.ToWire++;
            }
            else
            {
                Dropped++;
            }

            slot.Link = null;
        }
    }

    private void Drop(Slot slot)
    {
        if (slot.Link is not null)
        {
            Dropped++;
            slot.Link = null;
        }
    }

    private sealed class Slot
    {
        private byte[] _buffer = new byte[2048];
        private int _length;

        public Link? Link { get; set; }

        public Ipv4Address NextHop { get; private set; }

        public long Since { get; private set; }

        public byte GsoType { get; set; }

        public int GsoSize { get; set; }

        public Span<byte> Frame => _buffer.AsSpan(0, _length);

        public void Store(Link link, Ipv4Address nextHop, ReadOnlySpan<byte> frame, long now)
        {
            if (_buffer.Length < frame.Length)
            {
                _buffer = new byte[frame.Length];
            }

            frame.CopyTo(_buffer);
            _length = frame.Length;
            Link = link;
            NextHop = nextHop;
            Since = now;
        }
    }
}
