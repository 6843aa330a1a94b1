namespace Sekisho.Netfilter.Model;

/// <summary>Flags of the IP header match.</summary>
/// <remarks>The kernel's <c>IPT_F_*</c> bits of <c>struct ipt_ip.flags</c>.</remarks>
[Flags]
public enum IpFlags : byte
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary><c>IPT_F_FRAG</c>: <c>-f</c>, match second and further fragments.</summary>
    Fragment = 0x01,

    /// <summary><c>IPT_F_GOTO</c>: the target is a <c>-g</c> goto, not a <c>-j</c> jump.</summary>
    Goto = 0x02,
}
