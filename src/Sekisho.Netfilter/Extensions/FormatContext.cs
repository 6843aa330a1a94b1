using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>What printing a rule may consult: name lookups and whether <c>-n</c> was given.</summary>
public sealed class FormatContext
{
    /// <summary>Creates a context.</summary>
    public FormatContext(INameService names, bool numeric, bool exact = false)
    {
        Names = names;
        Numeric = numeric;
        Exact = exact;
    }

    /// <summary>
    /// Saving for Sekisho's state file rather than for the user: <c>save()</c> must then give a form that parses
    /// back to an equal match even where iptables' own save form loses a detail the kernel keeps (an explicit
    /// <c>/32</c> mask, for instance, whose padding bytes differ from a bare address).
    /// </summary>
    public bool Exact { get; }

    /// <summary>Service, protocol and host lookups.</summary>
    public INameService Names { get; }

    /// <summary><c>-n</c>: print addresses, ports and protocols as numbers.</summary>
    public bool Numeric { get; }
}
