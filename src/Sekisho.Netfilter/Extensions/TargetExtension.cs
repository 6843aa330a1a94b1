using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>A target extension: name, options and a parser factory.</summary>
public abstract class TargetExtension : Extension
{
    /// <summary>Describes a target extension.</summary>
    protected TargetExtension(string name, IEnumerable<XtOption> options)
        : base(name, options)
    {
    }

    /// <summary>Starts parsing one use of the target (the extension's <c>init()</c>).</summary>
    public abstract TargetParser CreateParser();
}
