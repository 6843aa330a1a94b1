namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>NF_NAT_RANGE_*</c> flags of a NAT range.</summary>
/// <remarks>The kernel's <c>include/uapi/linux/netfilter/nf_nat.h</c>; the values are part of the ABI.</remarks>
[Flags]
public enum NatRangeFlags : uint
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary><c>NF_NAT_RANGE_MAP_IPS</c>: the addresses are to be rewritten to the address range.</summary>
    MapIps = 1 << 0,

    /// <summary><c>NF_NAT_RANGE_PROTO_SPECIFIED</c>: the ports (or ICMP id) are to be taken from the port range.</summary>
    ProtoSpecified = 1 << 1,

    /// <summary><c>NF_NAT_RANGE_PROTO_RANDOM</c>: <c>--random</c>, randomise the port choice.</summary>
    ProtoRandom = 1 << 2,

    /// <summary><c>NF_NAT_RANGE_PERSISTENT</c>: <c>--persistent</c>, same address for a client across connections.</summary>
    Persistent = 1 << 3,

    /// <summary><c>NF_NAT_RANGE_PROTO_RANDOM_FULLY</c>: <c>--random-fully</c>, fully random port choice.</summary>
    ProtoRandomFully = 1 << 4,

    /// <summary><c>NF_NAT_RANGE_PROTO_OFFSET</c>: shifted port map (<c>lo-hi/base</c>).</summary>
    ProtoOffset = 1 << 5,

    /// <summary><c>NF_NAT_RANGE_NETMAP</c>: one-to-one network mapping (set by nftables, not by iptables).</summary>
    Netmap = 1 << 6,

    /// <summary><c>NF_NAT_RANGE_PROTO_RANDOM_ALL</c>.</summary>
    ProtoRandomAll = ProtoRandom | ProtoRandomFully,

    /// <summary><c>NF_NAT_RANGE_MASK</c>: all defined flags.</summary>
    Mask = MapIps | ProtoSpecified | ProtoRandom | Persistent | ProtoRandomFully | ProtoOffset | Netmap,
}
