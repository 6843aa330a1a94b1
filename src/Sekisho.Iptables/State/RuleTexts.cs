using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.State;

/// <summary>
/// The save forms of rules that iptables-restore read in exactly that form, kept as slices of its input so that
/// the state file can be written without printing those rules again.
/// </summary>
/// <remarks>
/// Keyed by the rule object itself: a rule that is changed afterwards (new counters, a renamed target) is a new
/// object, which is printed as usual.
/// </remarks>
internal sealed class RuleTexts
{
    private readonly Dictionary<Rule, (int Start, int Length)> _texts = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates a store over the input every slice points into.</summary>
    public RuleTexts(byte[] input)
    {
        Input = input;
    }

    /// <summary>The input.</summary>
    public byte[] Input { get; }

    /// <summary>The number of rules with a text.</summary>
    public int Count => _texts.Count;

    /// <summary>Records that <paramref name="rule"/>'s save form (from <c>-A</c>, without newline) is the given slice.</summary>
    public void Add(Rule rule, int start, int length) => _texts[rule] = (start, length);

    /// <summary>The save form recorded for <paramref name="rule"/>; false when it has none.</summary>
    public bool TryGet(Rule rule, out ReadOnlySpan<byte> text)
    {
        if (_texts.TryGetValue(rule, out var slice))
        {
            text = Input.AsSpan(slice.Start, slice.Length);
            return true;
        }

        text = default;
        return false;
    }

    /// <summary>Forgets every text (after a commit, or when a table is abandoned).</summary>
    public void Clear() => _texts.Clear();
}
