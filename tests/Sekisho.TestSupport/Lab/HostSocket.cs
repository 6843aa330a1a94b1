using System.Net;
using System.Net.Sockets;
using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>Sockets of a process of the kernel lab's host, created in its namespace by the thread that lives there.</summary>
/// <remarks>
/// A socket belongs to the network namespace of the thread that creates it, and its owner (what the owner match
/// reads, the file's <c>f_cred</c>) is that thread's file system user and group: the namespace thread sets them
/// with <c>setfsuid</c>/<c>setfsgid</c> (per thread, unlike <c>setuid</c>) around the <c>socket</c> call, and
/// sets them back. Sending happens inside <c>sendto</c>: the kernel runs OUTPUT and POSTROUTING and queues the
/// frames on the TAP devices before the call returns.
/// </remarks>
internal static class HostSocket
{
    /// <summary>
    /// Sends a whole datagram through a raw socket with <c>IP_HDRINCL</c> (IPPROTO_RAW): the kernel keeps the header
    /// as given (a non-zero identification included), fills in the total length and the checksum, routes it by its
    /// destination and sends it through OUTPUT and POSTROUTING.
    /// </summary>
    public static void SendRaw(NamespaceThread thread, byte[] datagram, LabSender sender) =>
        thread.Invoke(() =>
        {
            using var socket = Create(sender, SocketType.Raw, ProtocolType.Raw);
            var destination = Ipv4Address.Read(datagram.AsSpan(16));
            SendTo(socket, datagram, new IPEndPoint(IPAddress.Parse(destination.ToString()), 0));
            return 0;
        });

    /// <summary>
    /// Sends a UDP payload from a socket bound to <paramref name="source"/>:<paramref name="sourcePort"/>: the
    /// kernel builds the datagram (TTL 64, TOS 0, DF set, identification 0 as an unconnected socket's are).
    /// </summary>
    public static void SendUdp(NamespaceThread thread, Ipv4Address source, ushort sourcePort, Ipv4Address destination,
        ushort destinationPort, byte[] payload, LabSender sender) =>
        thread.Invoke(() =>
        {
            using var socket = Create(sender, SocketType.Dgram, ProtocolType.Udp);
            socket.Bind(new IPEndPoint(IPAddress.Parse(source.ToString()), sourcePort));
            SendTo(socket, payload, new IPEndPoint(IPAddress.Parse(destination.ToString()), destinationPort));
            return 0;
        });

    /// <summary>
    /// Joins a multicast group on the interface that holds <paramref name="interfaceAddress"/>; the membership lasts
    /// as long as the returned socket.
    /// </summary>
    public static Socket Join(NamespaceThread thread, Ipv4Address group, Ipv4Address interfaceAddress) =>
        thread.Invoke(() =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                new MulticastOption(IPAddress.Parse(group.ToString()), IPAddress.Parse(interfaceAddress.ToString())));
            return socket;
        });

    // A datagram dropped in OUTPUT fails the call with EPERM, an unroutable one with ENETUNREACH: outcomes the tests
    // compare through frames and counters, not errors of the lab.
    private static void SendTo(Socket socket, byte[] bytes, IPEndPoint destination)
    {
        try
        {
            socket.SendTo(bytes, destination);
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AccessDenied or SocketError.NetworkUnreachable or SocketError.HostUnreachable)
        {
        }
    }

    private static Socket Create(LabSender sender, SocketType type, ProtocolType protocol)
    {
        if (sender.Uid == 0 && sender.Gid == 0)
        {
            return new Socket(AddressFamily.InterNetwork, type, protocol);
        }

        // setfsgid first: with a non-zero fsuid the thread could still change it (CAP_SETGID stays), but keep the
        // order of a process dropping privileges.
        Native.setfsgid(sender.Gid);
        Native.setfsuid(sender.Uid);
        try
        {
            return new Socket(AddressFamily.InterNetwork, type, protocol);
        }
        finally
        {
            Native.setfsuid(0);
            Native.setfsgid(0);
        }
    }
}
