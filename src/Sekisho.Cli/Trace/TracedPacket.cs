using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Tracing;

namespace Sekisho.Cli.Trace;

/// <summary>One traced packet: its description, what happened, the steps, and its conntrack state.</summary>
internal sealed record TracedPacket(string Description, PacketResult Result, List<TraceEvent> Events, string? Conntrack);
