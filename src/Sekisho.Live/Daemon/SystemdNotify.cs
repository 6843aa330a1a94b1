using System.Net.Sockets;
using System.Text;

namespace Sekisho.Live.Daemon;

/// <summary>Tells systemd about the service's state (<c>sd_notify</c>): <c>READY=1</c>, <c>STATUS=...</c>, <c>STOPPING=1</c>.</summary>
/// <remarks>
/// One datagram to the <c>AF_UNIX</c> socket named by <c>$NOTIFY_SOCKET</c> (a leading <c>@</c> names an abstract
/// socket); nothing happens without it, as when the daemon is started by hand.
/// </remarks>
internal static class SystemdNotify
{
    /// <summary>Sends <paramref name="state"/> (newline-separated assignments); false when there is no one to tell.</summary>
    public static bool Send(string state)
    {
        string? path = Environment.GetEnvironmentVariable("NOTIFY_SOCKET");
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        if (path[0] == '@')
        {
            path = "\0" + path[1..];
        }

        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.Send(Encoding.UTF8.GetBytes(state));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
