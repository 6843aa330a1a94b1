namespace Sekisho.Netfilter.Syntax;

/// <summary>The C library's number parsing, as iptables relies on it.</summary>
/// <remarks>
/// <c>strtoumax()</c> with base 0 (hex with <c>0x</c>, octal with a leading <c>0</c>) and libxtables'
/// <c>xtables_strtoul()</c>/<c>xtables_strtoui()</c> built on it: a leading minus is refused, the value must
/// lie in [min, max] (max 0 meaning unbounded), and without an end pointer the whole string must be a number.
/// </remarks>
public static class CNumbers
{
    /// <summary>
    /// <c>strtoumax(s + start, &amp;end, base)</c>. Returns the value (saturated at <see cref="ulong.MaxValue"/>
    /// on overflow), the index just past the number (<paramref name="start"/> when nothing was parsed), and
    /// whether the value overflowed.
    /// </summary>
    public static ulong StrToUMax(string s, int start, out int end, out bool overflow, int numberBase = 0)
    {
        ulong value = StrToUMax(s.AsSpan(start), out int consumed, out overflow, numberBase);
        end = start + consumed;
        return value;
    }

    /// <summary>
    /// <c>strtoumax()</c> over a span: the value and the number of characters the number took (0 when nothing
    /// was parsed).
    /// </summary>
    public static ulong StrToUMax(ReadOnlySpan<char> s, out int end, out bool overflow, int numberBase = 0)
    {
        const int start = 0;
        overflow = false;
        int i = start;
        while (i < s.Length && IsCSpace(s[i]))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        if (numberBase == 0)
        {
            if (i + 1 < s.Length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
                i + 2 < s.Length && HexValue(s[i + 2]) >= 0)
            {
                numberBase = 16;
                i += 2;
            }
            else if (i < s.Length && s[i] == '0')
            {
                numberBase = 8;
            }
            else
            {
                numberBase = 10;
            }
        }
        else if (numberBase == 16 && i + 2 < s.Length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X') &&
                 HexValue(s[i + 2]) >= 0)
        {
            i += 2;
        }

        int digitsStart = i;
        ulong value = 0;
        while (i < s.Length)
        {
            int digit = HexValue(s[i]);
            if (digit < 0 || digit >= numberBase)
            {
                break;
            }

            if (!overflow)
            {
                ulong next = unchecked((value * (ulong)numberBase) + (ulong)digit);
                if (value > (ulong.MaxValue - (ulong)digit) / (ulong)numberBase)
                {
                    overflow = true;
                }
                else
                {
                    value = next;
                }
            }

            i++;
        }

        if (i == digitsStart)
        {
            end = start;
            return 0;
        }

        end = i;
        if (overflow)
        {
            return ulong.MaxValue;
        }

        return negative ? unchecked(0 - value) : value;
    }

    /// <summary>
    /// <c>xtables_strtoul(s, NULL, &amp;value, min, max)</c>: the whole string must be a number within range.
    /// </summary>
    public static bool TryStrToUL(string s, out ulong value, ulong min, ulong max)
    {
        if (!TryStrToUL(s, 0, out int end, out value, min, max))
        {
            return false;
        }

        return end == s.Length;
    }

    /// <summary>
    /// <c>xtables_strtoul(s, &amp;end, &amp;value, min, max)</c>: a number within range at
    /// <paramref name="start"/>, possibly followed by other text.
    /// </summary>
    public static bool TryStrToUL(string s, int start, out int end, out ulong value, ulong min, ulong max)
    {
        bool ok = TryStrToUL(s.AsSpan(start), out int consumed, out value, min, max);
        end = start + consumed;
        return ok;
    }

    /// <summary><c>xtables_strtoul(s, &amp;end, ...)</c> over a span; <paramref name="end"/> is the length parsed.</summary>
    public static bool TryStrToUL(ReadOnlySpan<char> s, out int end, out ulong value, ulong min, ulong max)
    {
        value = 0;
        end = 0;
        int p = 0;
        while (p < s.Length && IsCSpace(s[p]))
        {
            p++;
        }

        if (p < s.Length && s[p] == '-')
        {
            return false;
        }

        ulong v = StrToUMax(s, out int myEnd, out bool overflow);
        if (myEnd == 0)
        {
            return false;
        }

        end = myEnd;
        if (!overflow && min <= v && (max == 0 || v <= max))
        {
            value = v;
            return true;
        }

        return false;
    }

    /// <summary><c>xtables_strtoui(s, NULL, &amp;value, min, max)</c>.</summary>
    public static bool TryStrToUI(string s, out uint value, uint min, uint max)
    {
        bool ok = TryStrToUL(s, out ulong v, min, max);
        value = (uint)v;
        return ok;
    }

    /// <summary><c>xtables_strtoui(s, &amp;end, &amp;value, min, max)</c>.</summary>
    public static bool TryStrToUI(string s, int start, out int end, out uint value, uint min, uint max)
    {
        bool ok = TryStrToUL(s, start, out end, out ulong v, min, max);
        value = (uint)v;
        return ok;
    }

    /// <summary>
    /// <c>sscanf(s, "%u", ...)</c> semantics for unsigned 32-bit values: leading white space and sign allowed,
    /// decimal digits, the value wrapping like the C library's <c>strtoul</c> conversion to unsigned int.
    /// </summary>
    public static bool TryScanUnsigned(string s, out uint value)
    {
        ulong v = StrToUMax(s, 0, out int end, out _, 10);
        value = unchecked((uint)v);
        return end != 0;
    }

    /// <summary>
    /// <c>sscanf(s, "%llu", ...)</c>: leading white space, optional sign, decimal digits; returns false when no
    /// digits were found.
    /// </summary>
    public static bool TryScanUInt64(string s, out ulong value)
    {
        value = StrToUMax(s, 0, out int end, out _, 10);
        return end != 0;
    }

    /// <summary>
    /// <c>sscanf(s, "%i", ...)</c> into an int: base detection like <c>strtol</c> with base 0.
    /// </summary>
    public static bool TryScanInt(string s, out int value)
    {
        int i = 0;
        while (i < s.Length && IsCSpace(s[i]))
        {
            i++;
        }

        bool negative = i < s.Length && s[i] == '-';
        ulong v = StrToUMax(s, 0, out int end, out bool overflow);
        if (end == 0)
        {
            value = 0;
            return false;
        }

        // strtol saturates; sscanf then truncates to int.
        long l = overflow ? (negative ? long.MinValue : long.MaxValue) : unchecked((long)v);
        value = unchecked((int)l);
        return true;
    }

    /// <summary>
    /// <c>strtoll(s, NULL, 10)</c>: leading white space, optional sign, decimal digits; saturates at
    /// <see cref="long.MinValue"/>/<see cref="long.MaxValue"/>; 0 when there is no number.
    /// </summary>
    public static long StrToLL(string s)
    {
        int i = 0;
        while (i < s.Length && IsCSpace(s[i]))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        // Accumulate the magnitude; long.MinValue's magnitude is one more than long.MaxValue.
        ulong limit = negative ? (ulong)long.MaxValue + 1 : long.MaxValue;
        ulong value = 0;
        bool overflow = false;
        for (; i < s.Length && s[i] >= '0' && s[i] <= '9'; i++)
        {
            ulong digit = (ulong)(s[i] - '0');
            if (overflow || value > (limit - digit) / 10)
            {
                overflow = true;
                continue;
            }

            value = (value * 10) + digit;
        }

        if (overflow)
        {
            return negative ? long.MinValue : long.MaxValue;
        }

        return negative ? unchecked((long)(0 - value)) : (long)value;
    }

    /// <summary><c>atoll(s)</c>.</summary>
    public static long Atoll(string s) => StrToLL(s);

    /// <summary><c>atoi(s)</c>: <c>(int)strtol(s, NULL, 10)</c>, truncating on a 64-bit C library.</summary>
    public static int Atoi(string s) => unchecked((int)StrToLL(s));

    /// <summary>C's <c>isspace()</c> in the C locale.</summary>
    public static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };
}
