namespace Sekisho.Iptables.Output;

/// <summary>Listing format flags.</summary>
/// <remarks>libxtables' <c>FMT_*</c> flags.</remarks>
[Flags]
internal enum ListFormat
{
    None = 0,
    Numeric = 0x0001,
    NoCounts = 0x0002,
    KiloMegaGiga = 0x0004,
    Options = 0x0008,
    NoTable = 0x0010,
    NoTarget = 0x0020,
    Via = 0x0040,
    NoNewline = 0x0080,
    LineNumbers = 0x0100,

    /// <summary><c>FMT_PRINT_RULE</c>: the one-line form <c>-v</c> prints for each rule added or deleted.</summary>
    PrintRule = NoCounts | Options | Via | Numeric | NoTable,
}
