using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>What printing a rule may consult: name lookups and whether <c>-n</c> was given.</summary>
public sealed class FormatContext
{
    /// <summary>Creates a context.</summary>
    public FormatContext(INameService names, bool numeric)
    {
        Names = names;
        Numeric = numeric;
    }

    /// <summary>Service, protocol and host lookups.</summary>
    public INameService Names { get; }

    /// <summary><c>-n</c>: print addresses, ports and protocols as numbers.</summary>
    public bool Numeric { get; }
}
