namespace Sekisho.Netfilter.Model;

/// <summary>The netfilter hooks of IPv4.</summary>
/// <remarks>The kernel's <c>enum nf_inet_hooks</c>: the values are the bit positions of hook masks.</remarks>
public enum Hook
{
    /// <summary><c>NF_INET_PRE_ROUTING</c>.</summary>
    PreRouting = 0,

    /// <summary><c>NF_INET_LOCAL_IN</c>.</summary>
    LocalIn = 1,

    /// <summary><c>NF_INET_FORWARD</c>.</summary>
    Forward = 2,

    /// <summary><c>NF_INET_LOCAL_OUT</c>.</summary>
    LocalOut = 3,

    /// <summary><c>NF_INET_POST_ROUTING</c>.</summary>
    PostRouting = 4,
}
