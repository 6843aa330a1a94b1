using System.Net.Sockets;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Live.Control;

/// <summary>The daemon's control socket: runs the iptables tools and the service commands against the live firewall.</summary>
/// <remarks>
/// <para>A Unix stream socket (mode 0600 in a 0700 directory). Each connection carries one request
/// (<see cref="ControlProtocol"/>) and is served completely on a thread of its own, so a client waiting with
/// <c>-w</c> for the xtables lock does not stop the others; at most <see cref="MaxConnections"/> run at once.</para>
/// <para>Only root may use it: the kernel's <c>SO_PEERCRED</c> names each peer's user, and a peer that is neither
/// root nor the daemon's own user (tests run the daemon unprivileged) gets a <see cref="ControlProtocol.Denied"/>
/// answer. A malformed request gets a <see cref="ControlProtocol.Failure"/> answer and its connection is closed;
/// the daemon is not affected.</para>
/// </remarks>
public sealed class ControlServer : IDisposable
{
    /// <summary>The most connections served at once.</summary>
    public const int MaxConnections = 32;

    private static readonly TimeSpan s_requestTimeout = TimeSpan.FromSeconds(10);

    private readonly DaemonInfo _info;
    private readonly Socket _listener;
    private readonly ControlTools _tools;
    private readonly HashSet<Socket> _active = [];
    private readonly uint _ownUid = geteuid();
    private Thread? _acceptThread;
    private int _disposed;

    /// <summary>Creates the socket (replacing a stale one; failing when a daemon answers on it).</summary>
    /// <param name="firewall">The running firewall.</param>
    /// <param name="info">The daemon's facts and its stop request.</param>
    /// <param name="socketPath">Where to listen (<see cref="ControlPaths.SocketPath"/>).</param>
    public ControlServer(LiveFirewall firewall, DaemonInfo info, string socketPath)
        : this(firewall, info, socketPath, null)
    {
    }

    /// <summary>Creates the socket, writing the kernel's table refusals to <paramref name="kernelLog"/>.</summary>
    public ControlServer(LiveFirewall firewall, DaemonInfo info, string socketPath, IKernelLog? kernelLog)
    {
        _info = info;
        SocketPath = Path.GetFullPath(socketPath);
        Store = new LiveRulesetStore(firewall, ControlPaths.LockPath(SocketPath), kernelLog);
        _tools = new ControlTools(firewall, info, Store, LibcNameService.Instance);
        _listener = Listen(SocketPath);
        IsAllowed = uid => uid == 0 || uid == _ownUid;
    }

    /// <summary>The socket's path.</summary>
    public string SocketPath { get; }

    /// <summary>The live ruleset store the tools run against.</summary>
    public LiveRulesetStore Store { get; }

    /// <summary>Where the server reports connections it could not serve (default: standard error, the journal).</summary>
    public Action<string> Log { get; init; } = message => Console.Error.WriteLine($"sekisho: control: {message}");

    /// <summary>Decides whether a peer's user id may use the daemon (root and the daemon's own user by default).</summary>
    internal Func<uint, bool> IsAllowed { get; set; }

    private string LockFile => Store.LockPath;

    /// <summary>Starts accepting connections on a background thread.</summary>
    public void Start()
    {
        _acceptThread = new Thread(AcceptLoop) { IsBackground = true, Name = "sekisho control" };
        _acceptThread.Start();
    }

    /// <summary>Stops accepting, ends the connections still open and removes the socket.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // The name goes before the listener closes: a client that finds the daemon no longer answering also finds
        // its socket gone (closing first would leave a moment in which connects are refused but the file remains).
        try
        {
            File.Delete(SocketPath);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        _listener.Dispose();
        lock (_active)
        {
            foreach (var socket in _active)
            {
                try
                {
                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (SocketException)
                {
                }
            }
        }

        if (_acceptThread != null && _acceptThread != Thread.CurrentThread)
        {
            _acceptThread.Join(TimeSpan.FromSeconds(5));
        }

        try
        {
            if (Path.GetDirectoryName(LockFile) == Path.GetDirectoryName(SocketPath))
            {
                File.Delete(LockFile);
            }

            // An empty run directory goes too, so other users are not told a daemon might run.
            Directory.Delete(Path.GetDirectoryName(SocketPath)!, recursive: false);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static Socket Listen(string path)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (File.Exists(path))
        {
            if (ControlClient.Answers(path))
            {
                throw new IOException($"a Sekisho daemon already answers on {path}");
            }

            File.Delete(path); // stale, left by a daemon that crashed
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            socket.Listen(64);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void AcceptLoop()
    {
        while (Volatile.Read(ref _disposed) == 0)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                if (Volatile.Read(ref _disposed) != 0)
                {
                    return;
                }

                Log($"accept failed: {ex.Message}");
                Thread.Sleep(10);
                continue;
            }

            lock (_active)
            {
                if (_active.Count >= MaxConnections)
                {
                    Reject(client, $"busy: {MaxConnections} requests are being served; try again");
                    continue;
                }

                _active.Add(client);
            }

            new Thread(() => Serve(client)) { IsBackground = true, Name = "sekisho control request" }.Start();
        }
    }

    private void Reject(Socket client, string message)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: false);
            ControlProtocol.WriteFailure(stream, message);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    private void Serve(Socket client)
    {
        bool stop = false;
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: false);
            var peer = PeerCredentials.Of(client);
            if (!IsAllowed(peer.Uid))
            {
                ControlProtocol.WriteFrame(stream, ControlProtocol.Denied, []);
                Linger(client);
                return;
            }

            ControlRequest request;
            try
            {
                client.ReceiveTimeout = (int)s_requestTimeout.TotalMilliseconds;
                if (ControlRequest.ReadFrom(stream) is not { } received)
                {
                    return; // a probe: connected and closed without a byte
                }

                request = received;
                client.ReceiveTimeout = 0;
            }
            catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.TimedOut })
            {
                throw new ControlProtocolException($"no complete request within {s_requestTimeout.TotalSeconds:0} s");
            }

            var response = _tools.Run(request, stream);
            response.WriteTo(stream);
            Linger(client);
            stop = request.Tool == "service-stop";
        }
        catch (ControlProtocolException ex)
        {
            Log($"refused a request: {ex.Message}");
            TryFail(client, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            // The client went away; nothing to answer.
        }
        catch (Exception ex)
        {
            Log($"request failed: {ex}");
            TryFail(client, $"internal error: {ex.Message}");
        }
        finally
        {
            lock (_active)
            {
                _active.Remove(client);
            }

            client.Dispose();
        }

        if (stop)
        {
            _info.RequestStop();
        }
    }

    private static void TryFail(Socket client, string message)
    {
        try
        {
            using var stream = new NetworkStream(client, ownsSocket: false);
            ControlProtocol.WriteFailure(stream, message);
            Linger(client);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Ends the answer and reads what the client still sends (the rest of a standard input the tool did not need)
    /// until it closes: a Unix socket closed with unread data resets the connection, and the client would lose the
    /// answer.
    /// </summary>
    private static void Linger(Socket client)
    {
        try
        {
            client.Shutdown(SocketShutdown.Send);
            client.ReceiveTimeout = 2000;
            byte[] discard = new byte[16 * 1024];
            long deadline = Environment.TickCount64 + 5000;
            while (client.Receive(discard) > 0 && Environment.TickCount64 < deadline)
            {
            }
        }
        catch (SocketException)
        {
        }
    }

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern uint geteuid();
}
