namespace Sekisho.TestSupport;

/// <summary>A clock that moves only when told to, for timeouts and rate limits under test.</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now;

    /// <summary>Starts the clock at <paramref name="start"/> (a fixed date by default).</summary>
    public ManualClock(DateTimeOffset? start = null)
    {
        _now = start ?? new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
