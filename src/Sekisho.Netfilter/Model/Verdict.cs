namespace Sekisho.Netfilter.Model;

/// <summary>The verdicts of the standard target and of chain policies.</summary>
/// <remarks>
/// The kernel's standard verdicts (<c>-NF_ACCEPT - 1</c>, <c>-NF_DROP - 1</c>, <c>-NF_QUEUE - 1</c>,
/// <c>XT_RETURN</c>) and the fall-through of a rule without <c>-j</c>.
/// </remarks>
public enum Verdict
{
    /// <summary>No target: carry on with the next rule (a rule that only counts).</summary>
    Continue,

    /// <summary><c>ACCEPT</c>.</summary>
    Accept,

    /// <summary><c>DROP</c>.</summary>
    Drop,

    /// <summary><c>QUEUE</c> (to user space; without a listener the packet is dropped).</summary>
    Queue,

    /// <summary><c>RETURN</c> to the calling chain, or the policy in a built-in chain.</summary>
    Return,
}
