namespace Sekisho.Live.Control;

/// <summary>How a request to the daemon went.</summary>
public enum ControlOutcomeKind
{
    /// <summary>The daemon ran the tool: see <see cref="ControlOutcome.Response"/>.</summary>
    Completed,

    /// <summary>No socket: no daemon runs (the state directory is "the kernel").</summary>
    NoDaemon,

    /// <summary>The socket exists but nobody listens: a daemon crashed, or is stopping.</summary>
    Stale,

    /// <summary>This user may not use the daemon (the socket's permissions, or the daemon's check).</summary>
    PermissionDenied,

    /// <summary>The daemon refused the request or the connection broke: see <see cref="ControlOutcome.Message"/>.</summary>
    Failed,
}

/// <summary>The result of <see cref="ControlClient.Send"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Response">The tool's output and exit status, when <see cref="ControlOutcomeKind.Completed"/>.</param>
/// <param name="Message">Why not, otherwise.</param>
public sealed record ControlOutcome(ControlOutcomeKind Kind, ControlResponse? Response = null, string Message = "");
