using Sekisho.Netfilter.Extensions;

namespace Sekisho.Iptables.Parsing;

/// <summary>One use of a match or target on the command line: the extension, its parsing state, its option range.</summary>
/// <remarks>
/// iptables' <c>xtables_rule_match</c> entry (with <c>completed</c>) and the extension's <c>option_offset</c>:
/// getopt returns <c>offset + id</c> for the extension's options.
/// </remarks>
internal sealed class ExtensionUse
{
    public ExtensionUse(Extension extension, ExtensionParser parser, int offset)
    {
        Extension = extension;
        Parser = parser;
        Offset = offset;
    }

    public Extension Extension { get; }

    public ExtensionParser Parser { get; }

    /// <summary>The option offset; -1 when the extension has no options.</summary>
    public int Offset { get; set; }

    /// <summary>A later use of the same match takes its options.</summary>
    public bool Completed { get; set; }
}
