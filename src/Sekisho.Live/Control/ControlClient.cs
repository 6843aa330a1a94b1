using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Sekisho.Live.Control;

/// <summary>The client end of the control socket, used by <c>sekisho iptables</c> and the other tools.</summary>
public static class ControlClient
{
    /// <summary>The largest response frame accepted.</summary>
    private const int MaxResponseLength = int.MaxValue - 64;

    /// <summary>Whether something listens on <paramref name="socketPath"/> (a connection is accepted).</summary>
    public static bool Answers(string socketPath)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// Sends <paramref name="request"/> and waits for the answer; <paramref name="stdin"/> is streamed to the daemon
    /// if the tool asks for it. Without <paramref name="timeout"/> the wait has no limit (a tool may wait for the
    /// xtables lock with <c>-w</c>); with it, a daemon silent for that long is a failure.
    /// </summary>
    public static ControlOutcome Send(string socketPath, ControlRequest request, Stream? stdin, TimeSpan? timeout = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        if (timeout is { } limit)
        {
            socket.ReceiveTimeout = (int)limit.TotalMilliseconds;
            socket.SendTimeout = (int)limit.TotalMilliseconds;
        }

        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(socketPath));
        }
        catch (SocketException ex)
        {
            return ex.SocketErrorCode switch
            {
                SocketError.AccessDenied => new ControlOutcome(ControlOutcomeKind.PermissionDenied, Message: ex.Message),
                SocketError.ConnectionRefused => new ControlOutcome(ControlOutcomeKind.Stale, Message: ex.Message),
                SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported
                    => new ControlOutcome(ControlOutcomeKind.NoDaemon, Message: ex.Message),
                _ => File.Exists(socketPath)
                    ? new ControlOutcome(ControlOutcomeKind.Failed, Message: $"cannot connect to {socketPath}: {ex.Message}")
                    : new ControlOutcome(ControlOutcomeKind.NoDaemon, Message: ex.Message),
            };
        }

        using var stream = new NetworkStream(socket, ownsSocket: false);
        Thread? feeder = null;
        try
        {
            request.WriteTo(stream);
            Span<byte> header = stackalloc byte[5];
            while (true)
            {
                ControlProtocol.ReadExactly(stream, header, "answer from the daemon");
                uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
                if (length > MaxResponseLength)
                {
                    throw new ControlProtocolException($"an answer of {length} bytes");
                }

                byte[] payload = new byte[length];
                ControlProtocol.ReadExactly(stream, payload, "answer from the daemon");
                switch (header[0])
                {
                    case ControlProtocol.StdinWanted when feeder == null:
                        feeder = new Thread(() => Feed(stdin ?? Stream.Null, stream)) { IsBackground = true, Name = "stdin" };
                        feeder.Start();
                        break;
                    case ControlProtocol.Result:
                        return new ControlOutcome(ControlOutcomeKind.Completed, ControlResponse.Parse(payload));
                    case ControlProtocol.Denied:
                        return new ControlOutcome(ControlOutcomeKind.PermissionDenied, Message: "the daemon refused this user");
                    case ControlProtocol.Failure:
                        return new ControlOutcome(ControlOutcomeKind.Failed, Message: Encoding.UTF8.GetString(payload));
                    default:
                        throw new ControlProtocolException($"unexpected answer of kind 0x{header[0]:x2}");
                }
            }
        }
        catch (ControlProtocolException ex)
        {
            return new ControlOutcome(ControlOutcomeKind.Failed, Message: ex.Message);
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
        {
            return new ControlOutcome(ControlOutcomeKind.Failed, Message: $"no answer within {timeout?.TotalSeconds:0} s");
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return new ControlOutcome(ControlOutcomeKind.Failed, Message: $"the connection to the daemon broke: {ex.Message}");
        }
    }

    private static void Feed(Stream stdin, Stream connection)
    {
        byte[] chunk = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = stdin.Read(chunk)) > 0)
            {
                ControlProtocol.WriteUInt32(connection, (uint)n);
                connection.Write(chunk, 0, n);
            }

            ControlProtocol.WriteUInt32(connection, 0);
            connection.Flush();
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The daemon stopped reading (the tool failed early): its answer says why.
        }
    }
}
