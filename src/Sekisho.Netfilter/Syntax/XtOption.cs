namespace Sekisho.Netfilter.Syntax;

/// <summary>One option of a match or target extension, as getopt sees it and as libxtables checks it.</summary>
/// <remarks>
/// Combines <c>struct option</c> (name, has_arg) and <c>struct xt_option_entry</c> (id, type, flags, min, max,
/// also, excl, size). Synonyms share an <see cref="Id"/>. For <see cref="XtOptionType.Legacy"/> options
/// <see cref="HasArgument"/> is given explicitly; for typed options it follows from the type.
/// </remarks>
public sealed record XtOption
{
    /// <summary>Creates a typed (x6-style) option.</summary>
    public XtOption(string name, int id, XtOptionType type, XtOptionFlags flags = XtOptionFlags.None)
    {
        Name = name;
        Id = id;
        Type = type;
        Flags = flags;
        HasArgument = type == XtOptionType.None ? ArgumentKind.None : ArgumentKind.Required;
    }

    /// <summary>Creates an old-style option whose argument the extension parses itself.</summary>
    public static XtOption Legacy(string name, int id, ArgumentKind hasArgument) =>
        new(name, id, XtOptionType.Legacy) { HasArgument = hasArgument };

    /// <summary>The long option name, without dashes.</summary>
    public string Name { get; }

    /// <summary>The option identifier within its extension (0..31).</summary>
    public int Id { get; }

    /// <summary>The value type.</summary>
    public XtOptionType Type { get; }

    /// <summary>Flags.</summary>
    public XtOptionFlags Flags { get; init; }

    /// <summary>Whether getopt takes an argument.</summary>
    public ArgumentKind HasArgument { get; init; }

    /// <summary>Minimum value or length (0: type default).</summary>
    public ulong Min { get; init; }

    /// <summary>Maximum value or length (0: type default).</summary>
    public ulong Max { get; init; }

    /// <summary>Bit set of option ids that must be given with this one.</summary>
    public uint Also { get; init; }

    /// <summary>Bit set of option ids that may not be given with this one.</summary>
    public uint Excl { get; init; }

    /// <summary>For strings the buffer size (value truncated to Size-1); for ranges the number of components.</summary>
    public int Size { get; init; }
}
