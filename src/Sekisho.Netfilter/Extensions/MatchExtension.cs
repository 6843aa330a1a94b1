using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>A match extension: name, options and a parser factory.</summary>
public abstract class MatchExtension : Extension
{
    /// <summary>Describes a match extension.</summary>
    protected MatchExtension(string name, IEnumerable<XtOption> options)
        : base(name, options)
    {
    }

    /// <summary>Starts parsing one use of the match (the extension's <c>init()</c>).</summary>
    public abstract MatchParser CreateParser();
}
