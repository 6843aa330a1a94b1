namespace Sekisho.Netfilter.Syntax;

/// <summary>What an extension parser may consult while parsing: name databases and the warning stream.</summary>
public sealed class ParseEnvironment
{
    /// <summary>Creates an environment.</summary>
    public ParseEnvironment(INameService names, TextWriter stderr)
    {
        Names = names;
        Stderr = stderr;
    }

    /// <summary>Service, protocol and host lookups.</summary>
    public INameService Names { get; }

    /// <summary>Where warnings and notices go (iptables writes them to stderr and carries on).</summary>
    public TextWriter Stderr { get; }
}
