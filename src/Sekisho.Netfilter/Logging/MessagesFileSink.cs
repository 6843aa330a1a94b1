using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Logging;

/// <summary>Appends kernel messages to a file in the form of <c>/var/log/messages</c>: <c>Mon DD HH:MM:SS host kernel: text</c>.</summary>
/// <remarks>
/// The traditional syslog file format (RFC 3164 timestamp in local time, the day padded with a space, the host
/// name, the tag <c>kernel:</c>), as rsyslog writes the messages its kernel input receives. The time is the
/// packet's (the capture's time when replaying). Lines are appended whole; a failing disk loses the line, never
/// the packet.
/// </remarks>
public sealed class MessagesFileSink : IPacketLogSink, IDisposable
{
    private readonly FileStream _stream;
    private readonly string _hostName;
    private readonly TimeZoneInfo _zone;
    private readonly StringBuilder _line = new();
    private byte[] _bytes = new byte[512];

    /// <summary>Opens (creating when needed) the file for appending.</summary>
    public MessagesFileSink(string path, string hostName, TimeZoneInfo? zone = null)
    {
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        _hostName = hostName;
        _zone = zone ?? TimeZoneInfo.Local;
    }

    /// <inheritdoc />
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
        _line.Clear();
        AppendLine(_line, message, time, _hostName, _zone);
        int length = Encoding.UTF8.GetMaxByteCount(_line.Length);
        if (_bytes.Length < length)
        {
            _bytes = new byte[length];
        }

        int count = 0;
        foreach (var chunk in _line.GetChunks())
        {
            count += Encoding.UTF8.GetBytes(chunk.Span, _bytes.AsSpan(count));
        }

        try
        {
            _stream.Write(_bytes, 0, count);
            _stream.Flush();
        }
        catch (IOException)
        {
            // As a full /var/log loses syslog lines, not packets.
        }
    }

    /// <summary>Appends one line, newline included: <c>Mon DD HH:MM:SS host kernel: message</c>.</summary>
    public static void AppendLine(StringBuilder line, ReadOnlySpan<char> message, DateTimeOffset time, string hostName, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(time, zone);
        line.Append(CultureInfo.InvariantCulture.DateTimeFormat.GetAbbreviatedMonthName(local.Month))
            .Append(' ')
            .Append(local.Day.ToString(CultureInfo.InvariantCulture).PadLeft(2))
            .Append(' ')
            .Append(local.ToString("HH:mm:ss", CultureInfo.InvariantCulture))
            .Append(' ').Append(hostName).Append(" kernel: ").Append(message).Append('\n');
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
