using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Logging;

/// <summary>Writes each message to several sinks in turn (the state directory's messages file and syslog, say).</summary>
public sealed class CompositeLogSink : IPacketLogSink
{
    private readonly IPacketLogSink[] _sinks;

    /// <summary>Creates a sink writing to all of <paramref name="sinks"/>.</summary>
    public CompositeLogSink(params IPacketLogSink[] sinks)
    {
        _sinks = sinks;
    }

    /// <inheritdoc />
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
        foreach (var sink in _sinks)
        {
            sink.Write(level, message, time);
        }
    }
}
