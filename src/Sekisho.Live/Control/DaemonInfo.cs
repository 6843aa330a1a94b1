namespace Sekisho.Live.Control;

/// <summary>What the control plane knows of the daemon it serves.</summary>
/// <param name="RulesFile">The saved ruleset loaded at start, written back by <c>sekisho service save</c>.</param>
/// <param name="Interfaces">The interfaces the daemon stands in front of.</param>
/// <param name="RequestStop">Asks the daemon to stop (called after <c>service stop</c> was answered).</param>
public sealed record DaemonInfo(string RulesFile, IReadOnlyList<string> Interfaces, Action RequestStop);
