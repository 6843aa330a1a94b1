namespace Sekisho.Iptables.Parsing;

/// <summary>The generic options seen on a command line.</summary>
/// <remarks>iptables' <c>OPT_*</c> values; the bit order matters for the option legality table.</remarks>
[Flags]
public enum OptionFlags
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>-n</c>.</summary>
    Numeric = 1 << 0,

    /// <summary><c>-s</c>.</summary>
    Source = 1 << 1,

    /// <summary><c>-d</c>.</summary>
    Destination = 1 << 2,

    /// <summary><c>-p</c>.</summary>
    Protocol = 1 << 3,

    /// <summary><c>-j</c> or <c>-g</c>.</summary>
    Jump = 1 << 4,

    /// <summary><c>-v</c>.</summary>
    Verbose = 1 << 5,

    /// <summary><c>-x</c>.</summary>
    Expanded = 1 << 6,

    /// <summary><c>-i</c>.</summary>
    InInterface = 1 << 7,

    /// <summary><c>-o</c>.</summary>
    OutInterface = 1 << 8,

    /// <summary><c>--line-numbers</c>.</summary>
    LineNumbers = 1 << 9,

    /// <summary><c>-c</c>.</summary>
    Counters = 1 << 10,

    /// <summary><c>-f</c>.</summary>
    Fragment = 1 << 11,
}
