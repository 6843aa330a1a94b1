namespace Sekisho.Netfilter.Engine;

/// <summary>What an entry of a compiled table is, in the vocabulary of the kernel's TRACE target.</summary>
public enum EntryRole : byte
{
    /// <summary>A rule of a chain (<c>rule:N</c>).</summary>
    Rule,

    /// <summary>The implicit RETURN at the end of a user-defined chain (<c>return:N</c>).</summary>
    Return,

    /// <summary>The policy at the end of a built-in chain (<c>policy:N</c>).</summary>
    Policy,
}
