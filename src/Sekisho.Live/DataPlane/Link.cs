using Sekisho.Live.Interop;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Live.DataPlane;

/// <summary>
/// One managed interface: the engine's device, the real interface's packet socket and the host's TAP twin, and the
/// queues of frames waiting to be written to each.
/// </summary>
internal sealed class Link(NetDevice device, PacketSocket wire, TapDevice tap) : IDisposable
{
    /// <summary>The engine's device (name, MAC, addresses).</summary>
    public NetDevice Device { get; } = device;

    /// <summary>The real interface, in the daemon's namespace.</summary>
    public PacketSocket Wire { get; } = wire;

    /// <summary>The TAP twin, in the host's namespace.</summary>
    public TapDevice Tap { get; } = tap;

    /// <summary>Frames waiting to leave on the real interface (engine thread puts, a writer thread sends).</summary>
    public FrameRing ToWireQueue { get; } = new();

    /// <summary>Frames waiting to be handed to the host through the TAP (engine thread puts, a writer thread writes).</summary>
    public FrameRing ToHostQueue { get; } = new();

    /// <summary>Frames from the wire handed to the host.</summary>
    public long ToHost;

    /// <summary>Frames from the host sent on the wire.</summary>
    public long ToWire;

    /// <summary>Frees the queues (the socket and the TAP belong to the interposer).</summary>
    public void Dispose()
    {
        ToWireQueue.Dispose();
        ToHostQueue.Dispose();
    }
}
