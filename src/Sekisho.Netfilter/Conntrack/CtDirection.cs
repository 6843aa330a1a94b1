namespace Sekisho.Netfilter.Conntrack;

/// <summary>The direction of a packet within its connection.</summary>
/// <remarks>The kernel's <c>enum ip_conntrack_dir</c>.</remarks>
public enum CtDirection : byte
{
    /// <summary><c>IP_CT_DIR_ORIGINAL</c>.</summary>
    Original = 0,

    /// <summary><c>IP_CT_DIR_REPLY</c>.</summary>
    Reply = 1,
}
