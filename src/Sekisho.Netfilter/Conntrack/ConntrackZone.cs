namespace Sekisho.Netfilter.Conntrack;

/// <summary>The zone a lookup happens in: an id and the directions it applies to.</summary>
/// <remarks>The kernel's <c>struct nf_conntrack_zone</c> (without the mark flag, which is resolved before lookup).</remarks>
/// <param name="Id">The zone id (0 is the default zone).</param>
/// <param name="Directions">The directions the id applies to (bit 0 original, bit 1 reply).</param>
public readonly record struct ConntrackZone(ushort Id, byte Directions)
{
    /// <summary>The default zone (<c>nf_ct_zone_dflt</c>).</summary>
    public static ConntrackZone Default => new(0, Connection.ZoneBoth);

    /// <summary>The id a direction uses (<c>nf_ct_zone_id</c>).</summary>
    public ushort IdFor(CtDirection direction) => (Directions & (1 << (int)direction)) != 0 ? Id : (ushort)0;
}
