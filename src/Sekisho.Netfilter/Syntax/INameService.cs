using Sekisho.Packets;

namespace Sekisho.Netfilter.Syntax;

/// <summary>The system databases iptables consults: services, protocols, hosts and networks.</summary>
/// <remarks>
/// Each member corresponds to one libc call iptables makes, so that Sekisho resolves exactly what iptables
/// resolves: <c>getservbyname</c>, <c>getservbyport</c>, <c>getaddrinfo</c>, <c>getprotobyname</c>,
/// <c>getprotobynumber</c>, <c>getnetbyname</c>, <c>getnetbyaddr</c>, <c>getnameinfo</c>, and the user and
/// group databases (<c>getpwnam</c>, <c>getpwuid</c>, <c>getgrnam</c>, <c>getgrgid</c>).
/// </remarks>
public interface INameService
{
    /// <summary><c>getservbyname(name, proto)</c>: the port, or -1.</summary>
    int ServiceToPort(string name, string? protocol);

    /// <summary><c>getservbyport(htons(port), proto)</c>: the service name, or null.</summary>
    string? PortToService(int port, string? protocol);

    /// <summary>
    /// <c>getaddrinfo(NULL, name, NULL)</c> as libxtables' <c>xtables_getportbyname</c> uses it: the port, or -1.
    /// </summary>
    int PortByName(string name);

    /// <summary><c>getprotobyname(name)</c>: the protocol number, or -1.</summary>
    int ProtocolByName(string name);

    /// <summary><c>getprotobynumber(number)</c>: the protocol name, or null.</summary>
    string? ProtocolByNumber(int number);

    /// <summary><c>getnetbyname(name)</c> for AF_INET networks: the network address, or null.</summary>
    Ipv4Address? NetworkByName(string name);

    /// <summary><c>getnetbyaddr(addr, AF_INET)</c>: the network name, or null.</summary>
    string? NetworkByAddress(Ipv4Address address);

    /// <summary>
    /// <c>getaddrinfo(name, AF_INET, SOCK_RAW)</c>: all addresses in resolver order, or null when the name
    /// does not resolve, with <paramref name="error"/> set to <c>gai_strerror()</c>'s text.
    /// </summary>
    Ipv4Address[]? ResolveHost(string name, out string? error);

    /// <summary>
    /// <c>getnameinfo(addr, flags 0)</c>: the host name, or the numeric form when there is none; null on
    /// failure.
    /// </summary>
    string? AddressToHost(Ipv4Address address);

    /// <summary><c>getpwnam(name)</c>: the user's UID, or -1 when there is no such user.</summary>
    long UserByName(string name);

    /// <summary><c>getpwuid(uid)</c>: the user name, or null.</summary>
    string? UserById(uint uid);

    /// <summary><c>getgrnam(name)</c>: the group's GID, or -1 when there is no such group.</summary>
    long GroupByName(string name);

    /// <summary><c>getgrgid(gid)</c>: the group name, or null.</summary>
    string? GroupById(uint gid);
}
