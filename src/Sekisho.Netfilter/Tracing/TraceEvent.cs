using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Tracing;

/// <summary>One step of a traced packet.</summary>
/// <param name="Depth">0 for the traced packet, 1 for a packet it caused (a reply), and so on.</param>
/// <param name="Kind">What happened.</param>
/// <param name="Text">A description: the hook name, the routing decision, the log line, the reply.</param>
/// <param name="Table">The table, for table and entry events.</param>
/// <param name="Entry">The entry, for entry events.</param>
/// <param name="Verdict">The verdict (<see cref="NfVerdict"/>) for matched entries and table ends.</param>
public sealed record TraceEvent(int Depth, TraceEventKind Kind, string Text, string? Table = null, CompiledEntry? Entry = null,
    uint Verdict = NfVerdict.Continue)
{
    /// <summary>
    /// The entry in the vocabulary of the kernel's TRACE target: <c>table:chain:rule:N</c>, <c>table:chain:return:N</c>
    /// or <c>table:chain:policy:N</c>.
    /// </summary>
    public string? Position => Entry is null
        ? null
        : $"{Table}:{Entry.Chain}:{Entry.Role switch { EntryRole.Policy => "policy", EntryRole.Return => "return", _ => "rule" }}:{Entry.RuleNumber}";
}
