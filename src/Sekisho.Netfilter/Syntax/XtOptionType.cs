namespace Sekisho.Netfilter.Syntax;

/// <summary>The value type of an extension option.</summary>
/// <remarks>
/// libxtables' <c>enum xt_option_type</c>. <see cref="Legacy"/> marks options of extensions that use the old
/// <c>parse()</c> interface: no generic checks, the extension reads the raw argument itself.
/// </remarks>
public enum XtOptionType
{
    /// <summary>Old-style option: the extension parses the raw argument.</summary>
    Legacy,

    /// <summary>No argument.</summary>
    None,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>Colon-separated 8-bit range.</summary>
    UInt8Range,

    /// <summary>Colon-separated 16-bit range.</summary>
    UInt16Range,

    /// <summary>Colon-separated 32-bit range.</summary>
    UInt32Range,

    /// <summary>Colon-separated 64-bit range.</summary>
    UInt64Range,

    /// <summary>Floating-point number.</summary>
    Double,

    /// <summary>String, with optional minimum/maximum length.</summary>
    String,

    /// <summary>TOS value, optionally with /mask, or a symbolic TOS name.</summary>
    TosMask,

    /// <summary>32-bit mark, optionally with /mask.</summary>
    MarkMask32,

    /// <summary>Syslog level, by number or name.</summary>
    SyslogLevel,

    /// <summary>Host name or address (must resolve to one address).</summary>
    Host,

    /// <summary>Host with optional /prefix or /mask.</summary>
    HostMask,

    /// <summary>Protocol by name or number.</summary>
    Protocol,

    /// <summary>Port by number or service name.</summary>
    Port,

    /// <summary>Port range (port[:port]).</summary>
    PortRange,

    /// <summary>Prefix length or dotted netmask, kept as a length.</summary>
    PrefixLength,

    /// <summary>Prefix length or dotted netmask, kept as a mask.</summary>
    PrefixMask,

    /// <summary>Ethernet MAC address.</summary>
    EtherMac,
}
