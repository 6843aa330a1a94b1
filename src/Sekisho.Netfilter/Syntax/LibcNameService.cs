using System.Runtime.InteropServices;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Syntax;

/// <summary>Name lookups through the C library, exactly as iptables performs them.</summary>
/// <remarks>
/// Calling libc (rather than parsing /etc files in managed code) keeps nsswitch, /etc/hosts, DNS and
/// /etc/services semantics identical to iptables'. Results are cached per process: iptables-restore of a
/// large file repeats the same few lookups thousands of times.
/// </remarks>
public sealed unsafe partial class LibcNameService : INameService
{
    private const int AfInet = 2;
    private const int SockRaw = 3;

    private readonly Dictionary<(string, string?), int> _serviceToPort = new();
    private readonly Dictionary<(int, string?), string?> _portToService = new();
    private readonly Dictionary<string, int> _portByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _protoByName = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string?> _protoByNumber = new();
    private readonly Dictionary<uint, string?> _hostNames = new();

    // getpwnam() and friends return static storage.
    private static readonly Lock s_passwdLock = new();

    /// <summary>The shared instance.</summary>
    public static LibcNameService Instance { get; } = new();

    /// <inheritdoc />
    public int ServiceToPort(string name, string? protocol)
    {
        lock (_serviceToPort)
        {
            if (_serviceToPort.TryGetValue((name, protocol), out int cached))
            {
                return cached;
            }

            nint serv = getservbyname(name, protocol);
            int port = serv == 0 ? -1 : Swap16(((ServEnt*)serv)->s_port);
            _serviceToPort[(name, protocol)] = port;
            return port;
        }
    }

    /// <inheritdoc />
    public string? PortToService(int port, string? protocol)
    {
        lock (_portToService)
        {
            if (_portToService.TryGetValue((port, protocol), out string? cached))
            {
                return cached;
            }

            nint serv = getservbyport(Swap16(port), protocol);
            string? name = serv == 0 ? null : Marshal.PtrToStringUTF8(((ServEnt*)serv)->s_name);
            _portToService[(port, protocol)] = name;
            return name;
        }
    }

    /// <inheritdoc />
    public int PortByName(string name)
    {
        lock (_portByName)
        {
            if (_portByName.TryGetValue(name, out int cached))
            {
                return cached;
            }

            int port = -1;
            AddrInfo* res = null;
            if (getaddrinfo(null, name, null, &res) == 0)
            {
                for (AddrInfo* p = res; p != null; p = p->ai_next)
                {
                    if (p->ai_family is AfInet or 10)
                    {
                        // sin_port and sin6_port share their offset (2) in sockaddr_in and sockaddr_in6.
                        port = Swap16(*(ushort*)((byte*)p->ai_addr + 2));
                        break;
                    }
                }

                freeaddrinfo(res);
            }

            _portByName[name] = port;
            return port;
        }
    }

    /// <inheritdoc />
    public int ProtocolByName(string name)
    {
        lock (_protoByName)
        {
            if (_protoByName.TryGetValue(name, out int cached))
            {
                return cached;
            }

            nint proto = getprotobyname(name);
            int number = proto == 0 ? -1 : ((ProtoEnt*)proto)->p_proto;
            _protoByName[name] = number;
            return number;
        }
    }

    /// <inheritdoc />
    public string? ProtocolByNumber(int number)
    {
        lock (_protoByNumber)
        {
            if (_protoByNumber.TryGetValue(number, out string? cached))
            {
                return cached;
            }

            nint proto = getprotobynumber(number);
            string? name = proto == 0 ? null : Marshal.PtrToStringUTF8(((ProtoEnt*)proto)->p_name);
            _protoByNumber[number] = name;
            return name;
        }
    }

    /// <inheritdoc />
    public Ipv4Address? NetworkByName(string name)
    {
        nint net = getnetbyname(name);
        if (net == 0)
        {
            return null;
        }

        var entry = (NetEnt*)net;
        return entry->n_addrtype == AfInet ? new Ipv4Address(entry->n_net) : null;
    }

    /// <inheritdoc />
    public string? NetworkByAddress(Ipv4Address address)
    {
        nint net = getnetbyaddr(address.Value, AfInet);
        return net == 0 ? null : Marshal.PtrToStringUTF8(((NetEnt*)net)->n_name);
    }

    /// <inheritdoc />
    public Ipv4Address[]? ResolveHost(string name, out string? error)
    {
        var hints = default(AddrInfo);
        hints.ai_family = AfInet;
        hints.ai_socktype = SockRaw;
        AddrInfo* res = null;
        int rc = getaddrinfo(name, null, &hints, &res);
        if (rc != 0)
        {
            error = Marshal.PtrToStringUTF8(gai_strerror(rc));
            return null;
        }

        error = null;

        var list = new List<Ipv4Address>();
        for (AddrInfo* p = res; p != null; p = p->ai_next)
        {
            // sockaddr_in: family(2) port(2) addr(4), address in network byte order.
            list.Add(Ipv4Address.Read(new ReadOnlySpan<byte>((byte*)p->ai_addr + 4, 4)));
        }

        freeaddrinfo(res);
        return list.ToArray();
    }

    /// <inheritdoc />
    public string? AddressToHost(Ipv4Address address)
    {
        lock (_hostNames)
        {
            if (_hostNames.TryGetValue(address.Value, out string? cached))
            {
                return cached;
            }

            byte* sa = stackalloc byte[16];
            new Span<byte>(sa, 16).Clear();
            *(ushort*)sa = AfInet;
            address.Write(new Span<byte>(sa + 4, 4));
            byte* host = stackalloc byte[1025];
            string? name = getnameinfo(sa, 16, host, 1024, null, 0, 0) == 0
                ? Marshal.PtrToStringUTF8((nint)host)
                : null;
            _hostNames[address.Value] = name;
            return name;
        }
    }

    /// <inheritdoc />
    public long UserByName(string name)
    {
        lock (s_passwdLock)
        {
            nint pwd = getpwnam(name);
            return pwd == 0 ? -1 : ((Passwd*)pwd)->pw_uid;
        }
    }

    /// <inheritdoc />
    public string? UserById(uint uid)
    {
        lock (s_passwdLock)
        {
            nint pwd = getpwuid(uid);
            return pwd == 0 || ((Passwd*)pwd)->pw_name == 0 ? null : Marshal.PtrToStringUTF8(((Passwd*)pwd)->pw_name);
        }
    }

    /// <inheritdoc />
    public long GroupByName(string name)
    {
        lock (s_passwdLock)
        {
            nint grp = getgrnam(name);
            return grp == 0 ? -1 : ((Group*)grp)->gr_gid;
        }
    }

    /// <inheritdoc />
    public string? GroupById(uint gid)
    {
        lock (s_passwdLock)
        {
            nint grp = getgrgid(gid);
            return grp == 0 || ((Group*)grp)->gr_name == 0 ? null : Marshal.PtrToStringUTF8(((Group*)grp)->gr_name);
        }
    }

    private static ushort Swap16(int value) => (ushort)(((value & 0xFF) << 8) | ((value >> 8) & 0xFF));

    [StructLayout(LayoutKind.Sequential)]
    private struct ServEnt
    {
        public nint s_name;
        public nint s_aliases;
        public int s_port;
        public nint s_proto;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ProtoEnt
    {
        public nint p_name;
        public nint p_aliases;
        public int p_proto;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct NetEnt
    {
        public nint n_name;
        public nint n_aliases;
        public int n_addrtype;
        public uint n_net;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Passwd
    {
        public nint pw_name;
        public nint pw_passwd;
        public uint pw_uid;
        public uint pw_gid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Group
    {
        public nint gr_name;
        public nint gr_passwd;
        public uint gr_gid;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct AddrInfo
    {
        public int ai_flags;
        public int ai_family;
        public int ai_socktype;
        public int ai_protocol;
        public uint ai_addrlen;
        public byte* ai_addr;
        public byte* ai_canonname;
        public AddrInfo* ai_next;
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getservbyname(string name, string? proto);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getservbyport(int port, string? proto);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getprotobyname(string name);

    [LibraryImport("libc")]
    private static partial nint getprotobynumber(int proto);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getnetbyname(string name);

    [LibraryImport("libc")]
    private static partial nint getnetbyaddr(uint net, int type);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int getaddrinfo(string? node, string? service, AddrInfo* hints, AddrInfo** res);

    [LibraryImport("libc")]
    private static partial void freeaddrinfo(AddrInfo* res);

    [LibraryImport("libc")]
    private static partial nint gai_strerror(int errcode);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getpwnam(string name);

    [LibraryImport("libc")]
    private static partial nint getpwuid(uint uid);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getgrnam(string name);

    [LibraryImport("libc")]
    private static partial nint getgrgid(uint gid);

    [LibraryImport("libc")]
    private static partial int getnameinfo(byte* sa, uint salen, byte* host, uint hostlen, byte* serv, uint servlen, int flags);
}
