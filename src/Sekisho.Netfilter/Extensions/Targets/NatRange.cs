using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>A NAT mapping: flags, an address range and a port range, optionally with a base port.</summary>
/// <remarks>
/// The kernel's <c>struct nf_nat_range2</c>, which every NAT target is converted to before
/// <c>nf_nat_setup_info()</c>: <c>flags</c>, <c>min_addr</c>/<c>max_addr</c> (IPv4 here),
/// <c>min_proto</c>/<c>max_proto</c> (the <c>nf_conntrack_man_proto</c> union: TCP/UDP/SCTP/DCCP port, ICMP id)
/// and <c>base_proto</c>. The targets that use <c>struct nf_nat_ipv4_multi_range_compat</c> (revision 0) have
/// no base port: theirs is always 0, as <c>xt_nat_convert_range()</c> makes it. The address and port fields mean
/// something only when <see cref="NatRangeFlags.MapIps"/> and <see cref="NatRangeFlags.ProtoSpecified"/> are set;
/// otherwise they are 0.
/// </remarks>
/// <param name="Flags">The <c>NF_NAT_RANGE_*</c> flags.</param>
/// <param name="MinAddress">The first address of the range.</param>
/// <param name="MaxAddress">The last address of the range.</param>
/// <param name="MinPort">The first port (or ICMP id) of the range.</param>
/// <param name="MaxPort">The last port (or ICMP id) of the range.</param>
/// <param name="BasePort">With <see cref="NatRangeFlags.ProtoOffset"/>, the port that maps to <paramref name="MinPort"/>.</param>
public readonly record struct NatRange(
    NatRangeFlags Flags,
    Ipv4Address MinAddress,
    Ipv4Address MaxAddress,
    ushort MinPort,
    ushort MaxPort,
    ushort BasePort)
{
    /// <summary>Whether the addresses are rewritten (<see cref="NatRangeFlags.MapIps"/>).</summary>
    public bool MapsAddresses => (Flags & NatRangeFlags.MapIps) != 0;

    /// <summary>Whether the ports are rewritten (<see cref="NatRangeFlags.ProtoSpecified"/>).</summary>
    public bool MapsPorts => (Flags & NatRangeFlags.ProtoSpecified) != 0;

    /// <summary>Whether the port range is shifted by a base port (<see cref="NatRangeFlags.ProtoOffset"/>).</summary>
    public bool IsShifted => (Flags & NatRangeFlags.ProtoOffset) != 0;
}
