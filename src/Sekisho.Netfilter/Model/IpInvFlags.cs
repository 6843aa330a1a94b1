namespace Sekisho.Netfilter.Model;

/// <summary>Which parts of the IP header match are inverted (<c>!</c>).</summary>
/// <remarks>The kernel's <c>IPT_INV_*</c> bits of <c>struct ipt_ip.invflags</c>.</remarks>
[Flags]
public enum IpInvFlags : byte
{
    /// <summary>Nothing inverted.</summary>
    None = 0,

    /// <summary><c>IPT_INV_VIA_IN</c>: <c>! -i</c>.</summary>
    InInterface = 0x01,

    /// <summary><c>IPT_INV_VIA_OUT</c>: <c>! -o</c>.</summary>
    OutInterface = 0x02,

    /// <summary><c>IPT_INV_TOS</c> (unused by iptables).</summary>
    Tos = 0x04,

    /// <summary><c>IPT_INV_SRCIP</c>: <c>! -s</c>.</summary>
    Source = 0x08,

    /// <summary><c>IPT_INV_DSTIP</c>: <c>! -d</c>.</summary>
    Destination = 0x10,

    /// <summary><c>IPT_INV_FRAG</c>: <c>! -f</c>.</summary>
    Fragment = 0x20,

    /// <summary><c>XT_INV_PROTO</c>: <c>! -p</c>.</summary>
    Protocol = 0x40,
}
