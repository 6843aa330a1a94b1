namespace Sekisho.Netfilter.Engine;

/// <summary>How an entry's target is carried out.</summary>
public enum EntryAction : byte
{
    /// <summary>A standard verdict: ACCEPT, DROP, QUEUE (the verdict is in the entry).</summary>
    Verdict,

    /// <summary>RETURN: back to the calling chain, or to the policy of the built-in chain.</summary>
    Return,

    /// <summary>A jump to a user-defined chain, remembered for RETURN.</summary>
    Jump,

    /// <summary>A goto (<c>-g</c>): a jump that is not remembered.</summary>
    Goto,

    /// <summary>A target extension, whose function decides.</summary>
    Extension,
}
