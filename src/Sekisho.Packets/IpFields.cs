namespace Sekisho.Packets;

/// <summary>The fields of an IPv4 header to build: addresses, TTL, TOS, identification, flags, fragment offset, options.</summary>
/// <param name="Source">The source address.</param>
/// <param name="Destination">The destination address.</param>
public sealed record IpFields(Ipv4Address Source, Ipv4Address Destination)
{
    /// <summary>Time to live.</summary>
    public byte Ttl { get; init; } = 64;

    /// <summary>Type of service (DSCP and ECN).</summary>
    public byte Tos { get; init; }

    /// <summary>Identification.</summary>
    public ushort Id { get; init; }

    /// <summary>Don't fragment.</summary>
    public bool DontFragment { get; init; }

    /// <summary>More fragments.</summary>
    public bool MoreFragments { get; init; }

    /// <summary>The reserved ("evil") flag bit.</summary>
    public bool Reserved { get; init; }

    /// <summary>The fragment offset in bytes (a multiple of 8).</summary>
    public int FragmentOffset { get; init; }

    /// <summary>IP options, padded by the builder to a multiple of 4 bytes.</summary>
    public byte[] Options { get; init; } = [];

    /// <summary>A different value for the total length field (to build malformed packets); null for the true length.</summary>
    public int? TotalLengthOverride { get; init; }
}
