using System.Text;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The C string comparisons several target parsers use for their keyword tables.</summary>
/// <remarks>
/// iptables runs in the "C" locale, so <c>strcasecmp</c>/<c>strncasecmp</c> fold ASCII letters only; a
/// non-ASCII character never equals an ASCII one.
/// </remarks>
internal static class TargetText
{
    /// <summary>
    /// <c>strncasecmp(name, text, strlen(text)) == 0</c>: whether <paramref name="text"/> is a case-insensitive
    /// prefix of <paramref name="name"/> (the empty text is a prefix of everything).
    /// </summary>
    public static bool IsPrefixIgnoreCase(string text, string name)
    {
        if (text.Length > name.Length)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (AsciiLower(text[i]) != AsciiLower(name[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <c>strncasecmp(text, name, strlen(name)) == 0</c>: whether <paramref name="text"/> starts with
    /// <paramref name="name"/>, ignoring case (anything may follow).
    /// </summary>
    public static bool StartsWithIgnoreCase(string text, string name) => IsPrefixIgnoreCase(name, text);

    /// <summary><c>strcasecmp(text, name) == 0</c>.</summary>
    public static bool EqualsIgnoreCase(string text, string name) =>
        text.Length == name.Length && IsPrefixIgnoreCase(text, name);

    /// <summary>
    /// What a <c>char[size]</c> field keeps of a string copied with <c>XTOPT_PUT</c>: at most
    /// <paramref name="size"/> - 1 bytes of its UTF-8 form.
    /// </summary>
    public static string Fit(string text, int size)
    {
        if (Xt.CLength(text) < size)
        {
            return text;
        }

        var bytes = Encoding.UTF8.GetBytes(text);
        return Encoding.UTF8.GetString(bytes, 0, size - 1);
    }

    private static char AsciiLower(char c) => c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}
