namespace Sekisho.Live.Daemon;

/// <summary>What happens to the managed interfaces' traffic while no daemon runs (stopped, or crashed).</summary>
public enum FailMode
{
    /// <summary>The interfaces go back to the host namespace with their configuration: traffic flows unfiltered.</summary>
    Open,

    /// <summary>The interfaces stay in the daemon's namespace: no traffic reaches the host until the daemon is back.</summary>
    Closed,
}
