namespace Sekisho.Netfilter.Syntax;

/// <summary>getopt's <c>has_arg</c>.</summary>
public enum ArgumentKind
{
    /// <summary><c>no_argument</c>.</summary>
    None = 0,

    /// <summary><c>required_argument</c>.</summary>
    Required = 1,

    /// <summary><c>optional_argument</c> (only as <c>--opt=value</c>).</summary>
    Optional = 2,
}
