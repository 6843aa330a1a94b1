namespace Sekisho.Netfilter.Engine;

/// <summary>The local socket a packet belongs to, when it was sent by a process of this host.</summary>
/// <remarks>
/// What the owner match and LOG's <c>--log-uid</c> read of <c>skb-&gt;sk</c>. Captures and received packets have
/// none, which makes owner matches fail as they do in the kernel for packets without a socket. What the host's
/// stack sends itself (ICMP errors, echo replies, its resets) comes from a kernel control socket:
/// <see cref="Kernel"/>, a socket without a file and so without an owner.
/// </remarks>
public sealed class SocketInfo
{
    /// <summary>Creates socket information.</summary>
    public SocketInfo(uint uid, uint gid, IReadOnlyList<uint>? supplementaryGroups = null)
    {
        Uid = uid;
        Gid = gid;
        SupplementaryGroups = supplementaryGroups ?? [];
        HasFile = true;
    }

    private SocketInfo()
    {
        SupplementaryGroups = [];
    }

    /// <summary>
    /// The kernel's control sockets (<c>inet_ctl_sock_create</c>: the ICMP socket, TCP's reset socket): a socket
    /// without a file, which <c>--socket-exists</c> matches and <c>--uid-owner</c>, <c>--gid-owner</c> and LOG's
    /// <c>--log-uid</c> find no owner in.
    /// </summary>
    public static SocketInfo Kernel { get; } = new();

    /// <summary>Whether the socket has a file (a process opened it), hence an owner.</summary>
    public bool HasFile { get; }

    /// <summary>The owning user (the file's <c>f_cred-&gt;fsuid</c>).</summary>
    public uint Uid { get; }

    /// <summary>The owning group (<c>f_cred-&gt;fsgid</c>).</summary>
    public uint Gid { get; }

    /// <summary>Supplementary groups of the owner (for <c>--suppl-groups</c>).</summary>
    public IReadOnlyList<uint> SupplementaryGroups { get; }
}
