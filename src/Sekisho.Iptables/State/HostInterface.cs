using Sekisho.Packets;

namespace Sekisho.Iptables.State;

/// <summary>An Ethernet interface of a stored host model: name, MAC, MTU and addresses.</summary>
public sealed class HostInterface(string name, MacAddress mac, int mtu = 1500)
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;

    /// <summary>The MAC address.</summary>
    public MacAddress Mac { get; } = mac;

    /// <summary>The MTU.</summary>
    public int Mtu { get; } = mtu;

    /// <summary>The addresses, primary first.</summary>
    public List<(Ipv4Address Address, int PrefixLength)> Addresses { get; } = [];
}
