using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>A network interface of the host model: name, index, link type and hardware address, IPv4 addresses.</summary>
/// <remarks>
/// What netfilter reads of a <c>struct net_device</c>: the name (-i/-o), the index, the link type and header
/// length (LOG prints <c>MAC=</c> from the header of Ethernet-like devices), the addresses (addrtype, MASQUERADE,
/// the source of REJECT replies).
/// </remarks>
public sealed class NetDevice
{
    /// <summary>Creates a device.</summary>
    public NetDevice(string name, int index, DeviceType type, MacAddress hardwareAddress = default, int mtu = 1500)
    {
        Name = name;
        Index = index;
        Type = type;
        HardwareAddress = hardwareAddress;
        Mtu = mtu;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>The interface index.</summary>
    public int Index { get; }

    /// <summary>The link type.</summary>
    public DeviceType Type { get; }

    /// <summary>The hardware (MAC) address.</summary>
    public MacAddress HardwareAddress { get; }

    /// <summary>The MTU.</summary>
    public int Mtu { get; }

    /// <summary>The link-layer header length (<c>hard_header_len</c>): 14 for Ethernet and loopback, 0 otherwise.</summary>
    public int HeaderLength => Type is DeviceType.Ethernet or DeviceType.Loopback ? 14 : 0;

    /// <summary>The IPv4 addresses with their prefix lengths, primary first.</summary>
    public IReadOnlyList<(Ipv4Address Address, int PrefixLength)> Addresses => AddressList;

    internal List<(Ipv4Address Address, int PrefixLength)> AddressList { get; } = [];

    /// <summary>
    /// The IPv4 multicast groups the host has joined on this device, besides all-hosts (224.0.0.1), which every
    /// device joins when it comes up (<c>ip_mc_up</c>).
    /// </summary>
    public IReadOnlyList<Ipv4Address> MulticastGroups => GroupList;

    internal List<Ipv4Address> GroupList { get; } = [];

    /// <summary>Whether a datagram to <paramref name="group"/> received on this device is for the host (<c>ip_check_mc_rcu</c>).</summary>
    public bool HasJoined(Ipv4Address group) => group == AllHostsGroup || GroupList.Contains(group);

    /// <summary>224.0.0.1, the all-hosts group.</summary>
    public static Ipv4Address AllHostsGroup => new(0xE0000001);

    /// <summary>Whether the device is the loopback device.</summary>
    public bool IsLoopback => Type == DeviceType.Loopback;

    /// <inheritdoc />
    public override string ToString() => Name;
}
