namespace Sekisho.Netfilter.Syntax;

/// <summary>Flags of an extension option.</summary>
/// <remarks>libxtables' <c>XTOPT_*</c> flags.</remarks>
[Flags]
public enum XtOptionFlags
{
    /// <summary>No flags.</summary>
    None = 0,

    /// <summary><c>XTOPT_INVERT</c>: may be preceded by <c>!</c>.</summary>
    Invert = 1 << 0,

    /// <summary><c>XTOPT_MAND</c>: must be given.</summary>
    Mandatory = 1 << 1,

    /// <summary><c>XTOPT_MULTI</c>: may be given more than once.</summary>
    Multi = 1 << 2,

    /// <summary><c>XTOPT_PUT</c>: the value is stored directly (informational here).</summary>
    Put = 1 << 3,

    /// <summary><c>XTOPT_NBO</c>: the value is kept in network byte order (informational here).</summary>
    NetworkByteOrder = 1 << 4,
}
