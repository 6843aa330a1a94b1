using System.Net.Sockets;
using System.Text;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Logging;

/// <summary>Sends kernel messages to the system logger's socket (<c>/dev/log</c>) as the kernel's own appear there.</summary>
/// <remarks>
/// <para>
/// One datagram per message on the <c>AF_UNIX</c> datagram socket a syslog daemon listens on, in the traditional
/// form <c>&lt;PRI&gt;Mon DD HH:MM:SS kernel: text</c>: facility <c>kern</c> (0), so the priority is the LOG
/// level, the RFC 3164 timestamp in local time with the day padded by a space, and the tag <c>kernel</c>, which
/// makes rsyslog file the line exactly where klogd's lines go (<c>/var/log/messages</c>, <c>kern.log</c>).
/// </para>
/// <para>
/// Robust on the packet path: formatting reuses one buffer, a send that fails (the daemon stopped or restarted)
/// loses that line and nothing else, and the socket is reconnected at most once a second. Nothing throws.
/// </para>
/// </remarks>
public sealed class SyslogSink : IPacketLogSink, IDisposable
{
    /// <summary>The socket syslog daemons listen on.</summary>
    public const string DefaultPath = "/dev/log";

    private static readonly string[] s_months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly string _path;
    private readonly TimeZoneInfo _zone;
    private readonly char[] _text = new char[LogFormatter.BufferSize + 64];
    private readonly byte[] _bytes = new byte[(LogFormatter.BufferSize + 64) * 3];
    private Socket? _socket;
    private long _retryAfter;

    private SyslogSink(string path, TimeZoneInfo zone, Socket socket)
    {
        _path = path;
        _zone = zone;
        _socket = socket;
    }

    /// <summary>Connects to the syslog socket; null when no daemon listens there.</summary>
    public static SyslogSink? TryOpen(string path = DefaultPath, TimeZoneInfo? zone = null)
    {
        var socket = Connect(path);
        return socket is null ? null : new SyslogSink(path, zone ?? TimeZoneInfo.Local, socket);
    }

    /// <inheritdoc />
    public void Write(int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
        int length = Format(_text, level, message, TimeZoneInfo.ConvertTime(time, _zone));
        int count = Encoding.UTF8.GetBytes(_text.AsSpan(0, length), _bytes);
        var socket = _socket ?? Reconnect();
        if (socket is null)
        {
            return;
        }

        try
        {
            socket.Send(_bytes.AsSpan(0, count), SocketFlags.None);
        }
        catch (SocketException)
        {
            // The daemon went away: this line is lost; the next ones try a new connection.
            socket.Dispose();
            _socket = null;
        }
        catch (ObjectDisposedException)
        {
            _socket = null;
        }
    }

    /// <summary>
    /// Writes <c>&lt;PRI&gt;Mon DD HH:MM:SS kernel: message</c> into <paramref name="destination"/> (large enough
    /// for a log line) and returns its length; <paramref name="time"/> is already in the zone to show.
    /// </summary>
    public static int Format(Span<char> destination, int level, ReadOnlySpan<char> message, DateTimeOffset time)
    {
        int n = 0;
        destination[n++] = '<';
        level &= 7;
        destination[n++] = (char)('0' + level);
        destination[n++] = '>';
        s_months[time.Month - 1].AsSpan().CopyTo(destination[n..]);
        n += 3;
        destination[n++] = ' ';
        destination[n++] = time.Day < 10 ? ' ' : (char)('0' + (time.Day / 10));
        destination[n++] = (char)('0' + (time.Day % 10));
        destination[n++] = ' ';
        n += TwoDigits(destination[n..], time.Hour);
        destination[n++] = ':';
        n += TwoDigits(destination[n..], time.Minute);
        destination[n++] = ':';
        n += TwoDigits(destination[n..], time.Second);
        " kernel: ".AsSpan().CopyTo(destination[n..]);
        n += 9;
        int room = Math.Min(message.Length, destination.Length - n);
        message[..room].CopyTo(destination[n..]);
        return n + room;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private static int TwoDigits(Span<char> destination, int value)
    {
        destination[0] = (char)('0' + (value / 10));
        destination[1] = (char)('0' + (value % 10));
        return 2;
    }

    private Socket? Reconnect()
    {
        long now = Environment.TickCount64;
        if (now < _retryAfter)
        {
            return null;
        }

        _retryAfter = now + 1000;
        _socket = Connect(_path);
        return _socket;
    }

    private static Socket? Connect(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }
}
