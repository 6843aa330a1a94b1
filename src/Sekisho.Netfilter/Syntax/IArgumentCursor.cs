namespace Sekisho.Netfilter.Syntax;

/// <summary>The argument vector being parsed and getopt's position in it.</summary>
/// <remarks>
/// Some extensions read arguments beyond their option's own (<c>--tcp-flags mask comp</c> takes two), exactly
/// as iptables' extensions read <c>argv[optind]</c> and advance <c>optind</c>.
/// </remarks>
public interface IArgumentCursor
{
    /// <summary><c>argv</c>, including <c>argv[0]</c>.</summary>
    IReadOnlyList<string> Arguments { get; }

    /// <summary><c>optind</c>: the index of the next argument getopt will look at.</summary>
    int OptInd { get; set; }
}
