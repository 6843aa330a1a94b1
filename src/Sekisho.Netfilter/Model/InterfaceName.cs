namespace Sekisho.Netfilter.Model;

/// <summary>An interface name in a rule (<c>-i</c>/<c>-o</c>), possibly a <c>+</c> wildcard.</summary>
/// <remarks>
/// The kernel keeps the text as given (<c>"eth+"</c> keeps its plus sign) with a byte mask: a wildcard covers
/// the characters before the <c>+</c>, an exact name covers its characters and the terminating NUL. Two names
/// are the same rule-wise when masks and masked bytes agree (libiptc's <c>is_same</c>), so <c>-i +</c> equals
/// no <c>-i</c> at all, even though <c>-L -v</c> shows the <c>+</c>.
/// </remarks>
public readonly struct InterfaceName : IEquatable<InterfaceName>
{
    private readonly string? _text;

    /// <summary>Creates a name from its text as given on the command line ("" for any interface).</summary>
    public InterfaceName(string text)
    {
        _text = text;
    }

    /// <summary>No interface given: matches any.</summary>
    public static InterfaceName Any => default;

    /// <summary>The text as given (with a trailing <c>+</c> for wildcards).</summary>
    public string Text => _text ?? string.Empty;

    /// <summary>Whether a name was given at all (the text is not empty).</summary>
    public bool IsSpecified => Text.Length != 0;

    /// <summary>Whether the name ends in <c>+</c> and so matches every interface starting with <see cref="Prefix"/>.</summary>
    public bool IsWildcard => Text.Length != 0 && Text[^1] == '+';

    /// <summary>The characters that must match: the name without the trailing <c>+</c> of a wildcard.</summary>
    public string Prefix => IsWildcard ? Text[..^1] : Text;

    /// <summary>Whether the kernel's mask is empty, so that the name matches every interface.</summary>
    public bool MatchesAll => Text.Length == 0 || Text == "+";

    /// <summary>Does an interface called <paramref name="name"/> match (ignoring inversion)?</summary>
    public bool Matches(ReadOnlySpan<char> name)
    {
        if (MatchesAll)
        {
            return true;
        }

        string prefix = Prefix;
        return IsWildcard ? name.StartsWith(prefix, StringComparison.Ordinal) : name.SequenceEqual(prefix);
    }

    /// <inheritdoc />
    public bool Equals(InterfaceName other)
    {
        if (MatchesAll || other.MatchesAll)
        {
            return MatchesAll && other.MatchesAll;
        }

        return IsWildcard == other.IsWildcard && string.Equals(Prefix, other.Prefix, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is InterfaceName other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => MatchesAll ? 0 : HashCode.Combine(IsWildcard, Prefix);

    /// <summary>Rule-wise equality.</summary>
    public static bool operator ==(InterfaceName left, InterfaceName right) => left.Equals(right);

    /// <summary>Rule-wise inequality.</summary>
    public static bool operator !=(InterfaceName left, InterfaceName right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => Text;
}
