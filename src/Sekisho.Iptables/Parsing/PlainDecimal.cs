using System.Numerics;

namespace Sekisho.Iptables.Parsing;

/// <summary>The numbers the shortcut parsers accept: what iptables-save prints, and nothing it would print otherwise.</summary>
internal static class PlainDecimal
{
    /// <summary>
    /// A decimal number without sign, spaces or leading zeros, at most <paramref name="max"/>, from characters or
    /// from ASCII bytes.
    /// </summary>
    public static bool TryParse<T>(ReadOnlySpan<T> text, ulong max, out ulong value)
        where T : unmanaged, IBinaryInteger<T>
    {
        value = 0;
        if (text.IsEmpty || text.Length > 20 || (ulong.CreateTruncating(text[0]) == '0' && text.Length > 1))
        {
            return false;
        }

        foreach (var c in text)
        {
            ulong digit = ulong.CreateTruncating(c) - '0';
            if (digit > 9)
            {
                return false;
            }

            ulong next = (value * 10) + digit;
            if (next < value || next > max)
            {
                return false;
            }

            value = next;
        }

        return true;
    }
}
