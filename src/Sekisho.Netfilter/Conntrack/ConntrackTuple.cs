using System.Runtime.CompilerServices;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>One direction of a connection: addresses, protocol and the protocol's identifiers.</summary>
/// <remarks>
/// The kernel's <c>struct nf_conntrack_tuple</c> for IPv4. <see cref="SourcePort"/> holds <c>src.u.all</c> (the
/// source port, or the ICMP query identifier), <see cref="DestinationPort"/> holds <c>dst.u.all</c> (the
/// destination port, or the ICMP type in the high byte and code in the low byte). A value type, so that lookups
/// allocate nothing.
/// </remarks>
public readonly struct ConntrackTuple : IEquatable<ConntrackTuple>
{
    /// <summary>Creates a tuple.</summary>
    public ConntrackTuple(Ipv4Address source, Ipv4Address destination, byte protocol, ushort sourcePort, ushort destinationPort)
    {
        Source = source;
        Destination = destination;
        Protocol = protocol;
        SourcePort = sourcePort;
        DestinationPort = destinationPort;
    }

    /// <summary>The source address (<c>src.u3</c>).</summary>
    public Ipv4Address Source { get; }

    /// <summary>The destination address (<c>dst.u3</c>).</summary>
    public Ipv4Address Destination { get; }

    /// <summary>The layer-4 protocol (<c>dst.protonum</c>).</summary>
    public byte Protocol { get; }

    /// <summary>The source port, or the ICMP identifier (<c>src.u.all</c>, host order).</summary>
    public ushort SourcePort { get; }

    /// <summary>The destination port, or the ICMP type and code (<c>dst.u.all</c>, host order).</summary>
    public ushort DestinationPort { get; }

    /// <summary>The ICMP type of an ICMP tuple.</summary>
    public byte IcmpType => (byte)(DestinationPort >> 8);

    /// <summary>The ICMP code of an ICMP tuple.</summary>
    public byte IcmpCode => (byte)DestinationPort;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Equals(ConntrackTuple other) =>
        Source == other.Source && Destination == other.Destination && SourcePort == other.SourcePort
        && DestinationPort == other.DestinationPort && Protocol == other.Protocol;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ConntrackTuple other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (int)Hash(0);

    /// <summary>The tuple's hash in a zone (<c>hash_conntrack_raw</c>'s role; the function is Sekisho's own).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint Hash(ushort zone)
    {
        ulong h = ((ulong)Source.Value << 32 | Destination.Value) * 0x9E3779B97F4A7C15UL;
        h ^= ((ulong)SourcePort << 40) | ((ulong)DestinationPort << 24) | ((ulong)Protocol << 16) | zone;
        h *= 0xC2B2AE3D27D4EB4FUL;
        return (uint)(h >> 32) ^ (uint)h;
    }

    /// <summary>Equality operator.</summary>
    public static bool operator ==(ConntrackTuple left, ConntrackTuple right) => left.Equals(right);

    /// <summary>Inequality operator.</summary>
    public static bool operator !=(ConntrackTuple left, ConntrackTuple right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => $"{Source}:{SourcePort} > {Destination}:{DestinationPort} proto {Protocol}";
}
