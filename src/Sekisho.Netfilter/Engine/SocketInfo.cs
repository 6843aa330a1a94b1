namespace Sekisho.Netfilter.Engine;

/// <summary>The local socket a packet belongs to, when it was sent by a process of this host.</summary>
/// <remarks>
/// What the owner match and LOG's <c>--log-uid</c> read of <c>skb-&gt;sk</c>. Captures and received packets have
/// none, which makes owner matches fail as they do in the kernel for packets without a socket.
/// </remarks>
public sealed class SocketInfo
{
    /// <summary>Creates socket information.</summary>
    public SocketInfo(uint uid, uint gid, IReadOnlyList<uint>? supplementaryGroups = null)
    {
        Uid = uid;
        Gid = gid;
        SupplementaryGroups = supplementaryGroups ?? [];
    }

    /// <summary>The owning user (the file's <c>f_cred-&gt;fsuid</c>).</summary>
    public uint Uid { get; }

    /// <summary>The owning group (<c>f_cred-&gt;fsgid</c>).</summary>
    public uint Gid { get; }

    /// <summary>Supplementary groups of the owner (for <c>--suppl-groups</c>).</summary>
    public IReadOnlyList<uint> SupplementaryGroups { get; }
}
