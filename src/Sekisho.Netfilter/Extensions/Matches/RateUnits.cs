using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The time units of limit and hashlimit rates: <c>second</c>, <c>minute</c>, <c>hour</c>, <c>day</c>.</summary>
/// <remarks>
/// libxt_limit's and libxt_hashlimit's <c>parse_rate()</c> accept any non-empty prefix of a unit name, in any
/// case (<c>strncasecmp(name, unit, strlen(unit))</c>): "s", "min", "HOUR".
/// </remarks>
internal static class RateUnits
{
    /// <summary>The unit's length in seconds for the text after the '/' of a rate; false for an unknown unit.</summary>
    public static bool TryGetSeconds(string unit, out uint seconds)
    {
        seconds = 0;
        if (unit.Length == 0)
        {
            return false;
        }

        if (IsPrefix(unit, "second"))
        {
            seconds = 1;
        }
        else if (IsPrefix(unit, "minute"))
        {
            seconds = 60;
        }
        else if (IsPrefix(unit, "hour"))
        {
            seconds = 60 * 60;
        }
        else if (IsPrefix(unit, "day"))
        {
            seconds = 24 * 60 * 60;
        }

        return seconds != 0;

        static bool IsPrefix(string unit, string name) =>
            unit.Length <= name.Length && CStrings.StartsWithIgnoreCase(name, unit);
    }
}
