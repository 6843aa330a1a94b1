using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Sekisho.Iptables.State;
using Sekisho.Live.Control;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>The control socket against bad clients, refused users and clients that contend for the xtables lock.</summary>
public sealed class ControlProtocolTests : IDisposable
{
    private readonly LiveDaemonFixture _daemon = new();

    public static TheoryData<byte[], string> Garbage => new()
    {
        { "GET / HTTP/1.1\r\n\r\n"u8.ToArray(), "not a Sekisho control request (bad magic)" },
        { [0x53, 0x4B], "truncated request header" },
        { Header(1, 100).Concat(new byte[10]).ToArray(), "truncated request body" },
        { Header(1, 0x7FFFFFFF), "bad request: body of 2147483647 bytes" },
        { Header(9, 0), "protocol version 9 is not supported (this daemon speaks version 1)" },
        { Header(1, 8).Concat(new byte[] { 0, 0, 0, 200, 1, 2, 3, 4 }).ToArray(), "malformed message: the tool name claims 200 bytes" },
        { Request("nosuchtool"), "unknown tool `nosuchtool'" },
    };

    [Theory]
    [MemberData(nameof(Garbage))]
    public void GarbageRequest_ClearFailure_ServerUnaffected(byte[] request, string reason)
    {
        using (var socket = Connect())
        {
            socket.Send(request);
            socket.Shutdown(SocketShutdown.Send);
            var (kind, payload) = ReadFrame(socket);
            Assert.Equal(ControlProtocol.Failure, kind);
            Assert.Contains(reason, Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
            Assert.Equal(0, socket.Receive(new byte[1])); // then closed
        }

        Assert.Equal(0, _daemon.Run("iptables -A INPUT -j ACCEPT").ExitCode);
        Assert.Equal("-P INPUT ACCEPT\n-A INPUT -j ACCEPT\n", _daemon.Run("iptables -S INPUT").Stdout);
    }

    [Fact]
    public void StdinTruncated_RestoreFails_TableUnchanged()
    {
        using (var socket = Connect())
        {
            using var stream = new NetworkStream(socket, ownsSocket: false);
            new ControlRequest("iptables-restore", [], "/").WriteTo(stream);
            Assert.Equal(ControlProtocol.StdinWanted, ReadFrame(socket).Kind);
            byte[] chunk = "*filter\n-A INPUT -j DROP\n"u8.ToArray();
            ControlProtocol.WriteUInt32(stream, (uint)chunk.Length + 100); // more promised than sent
            stream.Write(chunk);
            socket.Shutdown(SocketShutdown.Send);
            var (kind, payload) = ReadFrame(socket);
            Assert.Equal(ControlProtocol.Failure, kind);
            Assert.Contains("truncated standard input chunk", Encoding.UTF8.GetString(payload), StringComparison.Ordinal);
        }

        Assert.Equal("-P INPUT ACCEPT\n", _daemon.Run("iptables -S INPUT").Stdout);
        Assert.Equal(0, _daemon.Run("iptables -w 0 -L").ExitCode); // the lock was given back
    }

    [Fact]
    public void PeerNotRoot_Denied_WithIptablesOwnMessages()
    {
        _daemon.Server.IsAllowed = _ => false;
        var outcome = ControlClient.Send(_daemon.Server.SocketPath, new ControlRequest("iptables", ["-L"], "/"), null);
        Assert.Equal(ControlOutcomeKind.PermissionDenied, outcome.Kind);

        Assert.Equal((3, "", "iptables v1.8.9 (legacy): can't initialize iptables table `filter': Permission denied (you must be root)\n" +
                             "Perhaps iptables or your kernel needs to be upgraded.\n"), Cli("iptables", "-L"));
        Assert.Equal((1, "", "iptables-save v1.8.9 (legacy): Cannot initialize: Permission denied (you must be root)\n"),
            Cli("iptables-save", "-t", "filter"));
        Assert.Equal((2, "", "iptables-restore v1.8.9 (legacy): iptables-restore: unable to initialize table 'filter'\n" +
                             "Error occurred at line: 1\nTry `iptables-restore -h' or 'iptables-restore --help' for more information.\n"),
            Cli("iptables-restore", stdin: "*filter\nCOMMIT\n"));
        Assert.Equal((1, "", "conntrack v1.4.7 (conntrack-tools): Operation failed: sorry, you must be root or get CAP_NET_ADMIN capability to do this\n"),
            Cli("conntrack", "-L"));
        // Arguments are still parsed first, as by the real tools.
        Assert.Equal(2, Cli("iptables", "-A", "INPUT", "--bogus").Code);
    }

    [Fact]
    public void StaleSocket_ClearError_StateDirectoryUntouched()
    {
        _daemon.Server.Dispose();
        Directory.CreateDirectory(_daemon.RunDirectory);
        // Bound but not listening, as the socket of a daemon that was killed (.NET would unlink it on Dispose).
        using var dead = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dead.Bind(new UnixDomainSocketEndPoint(Path.Combine(_daemon.RunDirectory, ControlPaths.SocketFileName)));

        string state = Path.Combine(_daemon.Root, "state");
        Environment.SetEnvironmentVariable("SEKISHO_STATE_DIR", state);
        try
        {
            var (code, stdout, stderr) = Cli("iptables", "-A", "INPUT", "-j", "DROP");
            Assert.Equal(4, code);
            Assert.Equal("", stdout);
            Assert.Equal($"sekisho: the firewall daemon does not answer on {Path.Combine(_daemon.RunDirectory, "control.sock")} (connection refused): it has stopped or crashed.\n" +
                         "sekisho: start it again (sekisho service start), or remove the socket to edit the state directory instead.\n", stderr);
            Assert.False(Directory.Exists(state));
        }
        finally
        {
            Environment.SetEnvironmentVariable("SEKISHO_STATE_DIR", null);
        }
    }

    [Fact]
    public async Task LockHeld_WithoutWait_FailsAtOnce_WithWait_Serialised()
    {
        // Another holder of the daemon's xtables lock (another client in the middle of its change).
        var held = XtablesLock.Acquire(_daemon.Server.Store.LockPath, 0);
        var busy = _daemon.Run("iptables -A INPUT -j ACCEPT");
        Assert.Equal(new ToolResult(4, "", "Another app is currently holding the xtables lock. Perhaps you want to use the -w option?\n"), busy);

        var waiting = Task.Run(() => _daemon.Run("iptables -w -A INPUT -p tcp -j ACCEPT"));
        var timedOut = _daemon.Run("iptables -w 1 -A INPUT -p udp -j ACCEPT");
        Assert.Equal(4, timedOut.ExitCode);
        Assert.EndsWith("Another app is currently holding the xtables lock. Stopped waiting after 1s.\n", timedOut.Stderr, StringComparison.Ordinal);
        Assert.False(waiting.IsCompleted);

        held.Dispose();
        Assert.Equal(new ToolResult(0, "", ""), await waiting);
        Assert.Equal("-P INPUT ACCEPT\n-A INPUT -p tcp -j ACCEPT\n", _daemon.Run("iptables -S INPUT").Stdout);
    }

    [Fact]
    public async Task ConcurrentClients_WithWait_AllChangesKept()
    {
        var clients = Enumerable.Range(0, 8)
            .Select(i => Task.Run(() => _daemon.Run($"iptables -w -A INPUT -p tcp --dport {2000 + i} -j ACCEPT")))
            .ToList();
        foreach (var client in clients)
        {
            Assert.Equal(0, (await client).ExitCode);
        }

        string rules = _daemon.Run("iptables -S INPUT").Stdout;
        for (int i = 0; i < 8; i++)
        {
            Assert.Contains($"--dport {2000 + i} -j ACCEPT\n", rules, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _daemon.Dispose();

    private static byte[] Header(ushort version, uint length)
    {
        byte[] header = new byte[10];
        BinaryPrimitives.WriteUInt32BigEndian(header, ControlProtocol.Magic);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(4), version);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(6), length);
        return header;
    }

    private static byte[] Request(string tool)
    {
        var bytes = new MemoryStream();
        new ControlRequest(tool, [], "/").WriteTo(bytes);
        return bytes.ToArray();
    }

    private static (int Code, string Stdout, string Stderr) Cli(string tool, params string[] args) => Cli(tool, args, null);

    private static (int Code, string Stdout, string Stderr) Cli(string tool, string[]? args = null, string? stdin = null)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int? code = Sekisho.Cli.Control.DaemonForwarding.TryRun(tool, args ?? [],
            () => new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? string.Empty)), stdout, stderr);
        Assert.NotNull(code);
        return (code.Value, stdout.ToString(), stderr.ToString());
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_daemon.Server.SocketPath));
        socket.ReceiveTimeout = 10000;
        return socket;
    }

    private static (byte Kind, byte[] Payload) ReadFrame(Socket socket)
    {
        byte[] header = Receive(socket, 5);
        return (header[0], Receive(socket, (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))));
    }

    private static byte[] Receive(Socket socket, int length)
    {
        byte[] buffer = new byte[length];
        int done = 0;
        while (done < length)
        {
            int n = socket.Receive(buffer, done, length - done, SocketFlags.None);
            Assert.True(n > 0, "the daemon closed the connection early");
            done += n;
        }

        return buffer;
    }
}
