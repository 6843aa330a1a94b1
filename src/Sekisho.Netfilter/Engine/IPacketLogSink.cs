namespace Sekisho.Netfilter.Engine;

/// <summary>Where the lines of LOG (and the kernel's other packet messages) go: the system log, a file, a test.</summary>
/// <remarks>
/// The kernel's <c>printk</c> of <c>nf_log_syslog</c>: a syslog level (0 emerg … 7 debug) and the message text
/// without a trailing newline. The sink adds the time and host the way its destination wants them.
/// </remarks>
public interface IPacketLogSink
{
    /// <summary>Writes one message.</summary>
    void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time);
}
