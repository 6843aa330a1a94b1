namespace Sekisho.Netfilter.Syntax;

/// <summary>One option occurrence handed to an extension parser.</summary>
/// <remarks>libxtables' <c>struct xt_option_call</c>, plus the raw getopt state old-style parsers read.</remarks>
public sealed class OptionCall
{
    /// <summary>Creates a call.</summary>
    public OptionCall(XtOption entry, string? argument, bool invert, string extensionName,
        IArgumentCursor cursor, ParseEnvironment environment, EntryContext entryContext)
    {
        Entry = entry;
        Argument = argument;
        Invert = invert;
        ExtensionName = extensionName;
        Cursor = cursor;
        Environment = environment;
        EntryContext = entryContext;
    }

    /// <summary>The option given.</summary>
    public XtOption Entry { get; }

    /// <summary>Its argument (<c>optarg</c>), or null.</summary>
    public string? Argument { get; set; }

    /// <summary>Whether a <c>!</c> preceded the option.</summary>
    public bool Invert { get; }

    /// <summary>The extension name used in messages.</summary>
    public string ExtensionName { get; }

    /// <summary>The argument vector and getopt position.</summary>
    public IArgumentCursor Cursor { get; }

    /// <summary>Name lookups and the warning stream.</summary>
    public ParseEnvironment Environment { get; }

    /// <summary>The IP part of the rule parsed so far.</summary>
    public EntryContext EntryContext { get; }

    /// <summary>The typed value (typed options only).</summary>
    public OptionValue Value { get; } = new();

    /// <summary>The argument, which the option is known to have.</summary>
    public string Arg => Argument ?? string.Empty;
}
