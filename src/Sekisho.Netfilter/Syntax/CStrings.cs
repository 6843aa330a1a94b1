namespace Sekisho.Netfilter.Syntax;

/// <summary>C's case-insensitive string comparisons, as iptables runs them.</summary>
/// <remarks>
/// iptables runs in the "C" locale, so <c>strcasecmp</c>/<c>strncasecmp</c> fold ASCII letters only: a non-ASCII
/// character never equals an ASCII one (unlike .NET's ordinal ignore-case, which maps the Kelvin sign to 'k').
/// </remarks>
public static class CStrings
{
    /// <summary><c>strcasecmp(a, b) == 0</c>.</summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<char> a, ReadOnlySpan<char> b) =>
        a.Length == b.Length && StartsWithIgnoreCase(a, b);

    /// <summary>
    /// <c>strncasecmp(text, prefix, strlen(prefix)) == 0</c>: whether <paramref name="text"/> starts with
    /// <paramref name="prefix"/>, ignoring ASCII case (the empty prefix starts everything).
    /// </summary>
    public static bool StartsWithIgnoreCase(ReadOnlySpan<char> text, ReadOnlySpan<char> prefix)
    {
        if (prefix.Length > text.Length)
        {
            return false;
        }

        for (int i = 0; i < prefix.Length; i++)
        {
            if (AsciiLower(text[i]) != AsciiLower(prefix[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}
