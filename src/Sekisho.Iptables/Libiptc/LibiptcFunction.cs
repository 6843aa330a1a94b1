namespace Sekisho.Iptables.Libiptc;

/// <summary>The libiptc entry point that failed last (<c>iptc_fn</c>), which selects the error text.</summary>
internal enum LibiptcFunction
{
    None,
    Init,
    Builtin,
    GetPolicy,
    InsertEntry,
    ReplaceEntry,
    AppendEntry,
    DeleteEntry,
    DeleteNumEntry,
    FlushEntries,
    ZeroEntries,
    ZeroCounter,
    CreateChain,
    GetReferences,
    DeleteChain,
    RenameChain,
    SetPolicy,
    Commit,
}
