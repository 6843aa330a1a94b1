namespace Sekisho.Iptables.Parsing;

/// <summary>The commands of iptables, as bits (two may combine: <c>-L -Z</c>).</summary>
/// <remarks>iptables' <c>CMD_*</c> values; the bit order matters for the option legality table.</remarks>
[Flags]
public enum CommandKind
{
    /// <summary>No command given.</summary>
    None = 0,

    /// <summary><c>-I</c>.</summary>
    Insert = 1 << 0,

    /// <summary><c>-D</c> with a rule specification.</summary>
    Delete = 1 << 1,

    /// <summary><c>-D</c> with a rule number.</summary>
    DeleteNum = 1 << 2,

    /// <summary><c>-R</c>.</summary>
    Replace = 1 << 3,

    /// <summary><c>-A</c>.</summary>
    Append = 1 << 4,

    /// <summary><c>-L</c>.</summary>
    List = 1 << 5,

    /// <summary><c>-F</c>.</summary>
    Flush = 1 << 6,

    /// <summary><c>-Z</c>.</summary>
    Zero = 1 << 7,

    /// <summary><c>-N</c>.</summary>
    NewChain = 1 << 8,

    /// <summary><c>-X</c>.</summary>
    DeleteChain = 1 << 9,

    /// <summary><c>-P</c>.</summary>
    SetPolicy = 1 << 10,

    /// <summary><c>-E</c>.</summary>
    RenameChain = 1 << 11,

    /// <summary><c>-S</c>.</summary>
    ListRules = 1 << 12,

    /// <summary><c>-Z</c> with a rule number.</summary>
    ZeroNum = 1 << 13,

    /// <summary><c>-C</c>.</summary>
    Check = 1 << 14,
}
