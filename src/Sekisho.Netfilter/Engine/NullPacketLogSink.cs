namespace Sekisho.Netfilter.Engine;

/// <summary>A log sink that discards every message.</summary>
public sealed class NullPacketLogSink : IPacketLogSink
{
    /// <summary>The instance.</summary>
    public static NullPacketLogSink Instance { get; } = new();

    /// <inheritdoc />
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
    }
}
