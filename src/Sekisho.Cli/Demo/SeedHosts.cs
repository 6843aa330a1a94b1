using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Cli.Demo;

/// <summary>The seed document's host names (server1, server2) on top of the system's name service.</summary>
/// <remarks>The document's machines resolve each other by name, which is why <c>iptables -L</c> shows <c>server2</c> as a source.</remarks>
internal sealed class SeedHosts : INameService
{
    private readonly INameService _system;
    private readonly Dictionary<Ipv4Address, string> _names;

    public SeedHosts(INameService system, IReadOnlyDictionary<Ipv4Address, string> names)
    {
        _system = system;
        _names = new Dictionary<Ipv4Address, string>(names);
    }

    public int ServiceToPort(string name, string? protocol) => _system.ServiceToPort(name, protocol);

    public string? PortToService(int port, string? protocol) => _system.PortToService(port, protocol);

    public int PortByName(string name) => _system.PortByName(name);

    public int ProtocolByName(string name) => _system.ProtocolByName(name);

    public string? ProtocolByNumber(int number) => _system.ProtocolByNumber(number);

    public Ipv4Address? NetworkByName(string name) => _system.NetworkByName(name);

    public string? NetworkByAddress(Ipv4Address address) => _system.NetworkByAddress(address);

    public Ipv4Address[]? ResolveHost(string name, out string? error)
    {
        foreach (var (address, host) in _names)
        {
            if (host == name)
            {
                error = null;
                return [address];
            }
        }

        return _system.ResolveHost(name, out error);
    }

    public string? AddressToHost(Ipv4Address address) =>
        _names.TryGetValue(address, out string? name) ? name : _system.AddressToHost(address);

    public long UserByName(string name) => _system.UserByName(name);

    public string? UserById(uint uid) => _system.UserById(uid);

    public long GroupByName(string name) => _system.GroupByName(name);

    public string? GroupById(uint gid) => _system.GroupById(gid);
}
