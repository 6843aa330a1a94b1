namespace Sekisho.Live.Control;

/// <summary>Where the daemon's control socket lives.</summary>
/// <remarks>
/// <c>$SEKISHO_RUN_DIR</c> when set, else <c>/run/sekisho</c> (a tmpfs: gone after a reboot, like every run-time
/// file). The directory is mode 0700 and the socket 0600, both owned by the daemon's user (root), so only root can
/// reach the daemon; the daemon also checks each peer's credentials.
/// </remarks>
public static class ControlPaths
{
    /// <summary>The default run-time directory.</summary>
    public const string DefaultRunDirectory = "/run/sekisho";

    /// <summary>The socket's file name in the run-time directory.</summary>
    public const string SocketFileName = "control.sock";

    /// <summary>The run-time directory: <c>$SEKISHO_RUN_DIR</c>, else <c>/run/sekisho</c>.</summary>
    public static string RunDirectory()
    {
        string? configured = Environment.GetEnvironmentVariable("SEKISHO_RUN_DIR");
        return string.IsNullOrEmpty(configured) ? DefaultRunDirectory : configured;
    }

    /// <summary>Whether the run-time directory was chosen explicitly (<c>$SEKISHO_RUN_DIR</c>).</summary>
    public static bool RunDirectoryConfigured() =>
        !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SEKISHO_RUN_DIR"));

    /// <summary>The control socket: <c>control.sock</c> in <see cref="RunDirectory"/>.</summary>
    public static string SocketPath() => Path.Combine(RunDirectory(), SocketFileName);

    /// <summary>The xtables lock file the daemon's tools share: <c>$XTABLES_LOCKFILE</c>, else next to the socket.</summary>
    public static string LockPath(string socketPath)
    {
        string? configured = Environment.GetEnvironmentVariable("XTABLES_LOCKFILE");
        return string.IsNullOrEmpty(configured)
            ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(socketPath)) ?? ".", "xtables.lock")
            : configured;
    }
}
