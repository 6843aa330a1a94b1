using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Engine;

/// <summary>The outcome of processing a packet: its fate and, for a drop by a hook, where it happened.</summary>
/// <param name="Fate">What happened.</param>
/// <param name="Hook">The hook that dropped the packet, when one did.</param>
/// <param name="Table">The table that dropped it, or null when conntrack or defragmentation did.</param>
public readonly record struct PacketResult(PacketFate Fate, Hook? Hook = null, string? Table = null);
