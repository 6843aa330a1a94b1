using Sekisho.Live.Interop;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Live.DataPlane;

/// <summary>One managed interface: the engine's device, the real interface's packet socket and the host's TAP twin.</summary>
internal sealed class Link(NetDevice device, PacketSocket wire, TapDevice tap)
{
    /// <summary>The engine's device (name, MAC, addresses).</summary>
    public NetDevice Device { get; } = device;

    /// <summary>The real interface, in the daemon's namespace.</summary>
    public PacketSocket Wire { get; } = wire;

    /// <summary>The TAP twin, in the host's namespace.</summary>
    public TapDevice Tap { get; } = tap;

    /// <summary>Frames from the wire handed to the host.</summary>
    public long ToHost;

    /// <summary>Frames from the host sent on the wire.</summary>
    public long ToWire;
}
