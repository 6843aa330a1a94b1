namespace Sekisho.Iptables.Commands;

/// <summary>Options of iptables-restore.</summary>
internal sealed class RestoreOptions
{
    /// <summary><c>-c</c>: take counters from the input.</summary>
    public bool Counters { get; set; }

    /// <summary><c>-v</c> count.</summary>
    public int Verbose { get; set; }

    /// <summary><c>-t</c>: parse and check only.</summary>
    public bool Test { get; set; }

    /// <summary><c>-n</c>: do not flush tables first.</summary>
    public bool NoFlush { get; set; }

    /// <summary><c>-w</c>: lock wait.</summary>
    public int Wait { get; set; }

    /// <summary><c>-T</c>: restore only this table.</summary>
    public string? Table { get; set; }

    /// <summary>
    /// Whether rule lines in iptables-save's form take <see cref="Parsing.RuleLineParser"/>'s shortcut (always, but
    /// in tests that compare it with the general path).
    /// </summary>
    public bool Shortcut { get; set; } = true;
}
