namespace Sekisho.Cli.Replay;

/// <summary>The namespace clock of a replay: the capture's time, set before each packet.</summary>
internal sealed class ReplayClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves to a packet's time; a capture that steps back in time (merged files) does not move the clock back.</summary>
    public void Set(DateTimeOffset time)
    {
        if (time > _now)
        {
            _now = time;
        }
    }
}
