namespace Sekisho.Netfilter.Engine;

/// <summary>The verdicts of netfilter hooks and targets.</summary>
/// <remarks>
/// The kernel's <c>NF_DROP</c>, <c>NF_ACCEPT</c>, <c>NF_STOLEN</c>, <c>NF_QUEUE</c>, and x_tables'
/// <c>XT_CONTINUE</c> (a target that lets the packet go on to the next rule) as unsigned values.
/// </remarks>
public static class NfVerdict
{
    /// <summary><c>NF_DROP</c>: the packet is discarded.</summary>
    public const uint Drop = 0;

    /// <summary><c>NF_ACCEPT</c>: the packet continues its way.</summary>
    public const uint Accept = 1;

    /// <summary><c>NF_STOLEN</c>: a target took the packet over.</summary>
    public const uint Stolen = 2;

    /// <summary><c>NF_QUEUE</c>: to a user-space queue (dropped when nobody listens).</summary>
    public const uint Queue = 3;

    /// <summary><c>XT_CONTINUE</c>: go on with the next rule.</summary>
    public const uint Continue = 0xFFFFFFFF;

    /// <summary>A readable name, for traces.</summary>
    public static string NameOf(uint verdict) => verdict switch
    {
        Drop => "DROP",
        Accept => "ACCEPT",
        Stolen => "STOLEN",
        Queue => "QUEUE",
        Continue => "CONTINUE",
        _ => verdict.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
