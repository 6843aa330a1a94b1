namespace Sekisho.Netfilter.Engine;

/// <summary>Who asks for reassembly: part of a fragment queue's key, so each user reassembles on its own.</summary>
/// <remarks>The kernel's <c>enum ip_defrag_users</c>, for the users an IPv4 host without bridging has.</remarks>
public enum DefragUser : byte
{
    /// <summary><c>IP_DEFRAG_LOCAL_DELIVER</c>: <c>ip_local_deliver</c>, when conntrack did not reassemble.</summary>
    LocalDeliver,

    /// <summary><c>IP_DEFRAG_CONNTRACK_IN</c> (zone 0): <c>nf_defrag_ipv4</c> at PREROUTING.</summary>
    ConntrackIn,

    /// <summary><c>IP_DEFRAG_CONNTRACK_OUT</c> (zone 0): <c>nf_defrag_ipv4</c> at OUTPUT.</summary>
    ConntrackOut,
}
