using Sekisho.Cli.Host;
using Sekisho.Cli.Replay;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;
using Sekisho.Packets.Capture;
using Sekisho.TestSupport;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho replay</c> on hand-made captures: directions, counters written back, output capture, damage.</summary>
public sealed class ReplayCommandTests : IDisposable
{
    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address s_server2 = Ipv4Address.Parse("10.1.77.146");
    private static readonly MacAddress s_server1Mac = MacAddress.Parse("0a:11:d1:09:77:ce");
    private static readonly MacAddress s_routerMac = MacAddress.Parse("0a:a2:e8:49:27:a3");
    private static readonly DateTimeOffset s_start = new(2017, 9, 2, 8, 58, 57, TimeSpan.Zero);

    private readonly string _state = Directory.CreateTempSubdirectory("sekisho-replay-").FullName;

    [Fact]
    public void Replay_PingDroppedAndHostTraffic_CountersInStateDirectory()
    {
        Setup("""
            iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP
            iptables -A OUTPUT -p tcp
            """);
        Host("add-iface eth0 10.1.51.165/24 mac=0a:11:d1:09:77:ce", "route add default via 10.1.51.1");
        string capture = WriteCapture(
            Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1) { Id = 1 }, 1496, 1, new byte[56])),
            Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1) { Id = 2 }, 1496, 2, new byte[56])),
            Incoming(PacketBuilder.Tcp(new IpFields(s_server2, s_server1) { Id = 3 }, 40000, 80, TcpHeader.Syn, 100)),
            Outgoing(PacketBuilder.Tcp(new IpFields(s_server1, s_server2) { Id = 4 }, 80, 40000, TcpHeader.Rst | TcpHeader.Ack, 0, 101)),
            [0x0a, 0x11, 0xd1, 0x09, 0x77, 0xce, 0x0a, 0xa2, 0xe8, 0x49, 0x27, 0xa3, 0x08, 0x06, 0, 1]); // ARP: not IPv4

        var (code, stdout, stderr) = Replay($"{capture} --out {Path.Combine(_state, "out.pcap")}");

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Contains("5 packets", stdout);
        Assert.Contains("received by the host           3  accepted 1 (locally delivered 1, forwarded 0), dropped 2", stdout);
        Assert.Contains("sent by the host               1  accepted 1, dropped 0", stdout);
        string save = Save();
        Assert.Contains(":INPUT ACCEPT [1:40]", save);
        Assert.Contains("[2:168] -A INPUT -s 10.1.77.146/32 -p icmp -j DROP", save);
        Assert.Contains(":OUTPUT ACCEPT [1:40]", save);
        Assert.Contains("[1:40] -A OUTPUT -p tcp", save);

        var frames = ReadCapture(Path.Combine(_state, "out.pcap"));
        var frame = Assert.Single(frames);
        Assert.Equal(s_routerMac, MacAddress.Read(frame)); // the router's MAC, learnt from the capture
        Assert.Equal(s_server1Mac, MacAddress.Read(frame.AsSpan(6)));
        Assert.True(File.Exists(Path.Combine(_state, "conntrack")));

        // A second replay adds to the counters, as more traffic through the kernel would.
        Assert.Equal(0, Replay($"{capture} --quiet").Code);
        Assert.Contains("[4:336] -A INPUT -s 10.1.77.146/32 -p icmp -j DROP", Save());
    }

    [Fact]
    public void Replay_RejectReplyAlsoInCapture_CountedOnce()
    {
        Setup("""
            iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT
            iptables -A OUTPUT -p icmp
            """);
        var syn = PacketBuilder.Tcp(new IpFields(s_server2, s_server1) { Id = 40037, DontFragment = true, Ttl = 63 }, 55724, 22, TcpHeader.Syn, 1000);
        var unreachable = PacketBuilder.Icmp(new IpFields(s_server1, s_server2) { Id = 41414, Tos = 0xC0 }, 3, 3, 0, syn);
        string capture = WriteCapture(Incoming(syn), Outgoing(unreachable));

        var (code, stdout, stderr) = Replay($"{capture} --iface eth0=10.1.51.165/24,mac=0a:11:d1:09:77:ce --out {Path.Combine(_state, "o.pcap")}");

        Assert.True(code == 0, stderr);
        Assert.Contains("sent by the host               0", stdout);
        Assert.Contains("replies generated              1  (1 of them also in the capture, not sent twice)", stdout);
        string save = Save();
        Assert.Contains("[1:68] -A OUTPUT -p icmp", save);
        var frame = Assert.Single(ReadCapture(Path.Combine(_state, "o.pcap")));
        Assert.Equal(unreachable.AsSpan(12).ToArray(), frame.AsSpan(14 + 12).ToArray()); // the kernel's reply but for ID and checksum
    }

    [Fact]
    public void Replay_Redirect_CountsTheTranslatedConnections()
    {
        Setup("""
            iptables -t nat -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 80
            iptables -A INPUT -p tcp --dport 80
            """);
        var to8080 = new IpFields(s_server2, s_server1) { DontFragment = true };
        string capture = WriteCapture(
            Incoming(PacketBuilder.Tcp(to8080 with { Id = 1 }, 40000, 8080, TcpHeader.Syn, 100)),
            Incoming(PacketBuilder.Tcp(to8080 with { Id = 2 }, 40001, 8080, TcpHeader.Syn, 200)),
            Incoming(PacketBuilder.Tcp(to8080 with { Id = 3 }, 40002, 22, TcpHeader.Syn, 300)));

        var (code, stdout, stderr) = Replay($"{capture} --iface eth0=10.1.51.165/24,mac=0a:11:d1:09:77:ce");

        Assert.True(code == 0, stderr);
        Assert.Contains("NAT translations               2  (new connections: source 0, destination 2;", stdout);
        Assert.Contains("[2:80] -A INPUT -p tcp -m tcp --dport 80", Save());
    }

    [Fact]
    public void Replay_OffloadedChecksum_CompletedSoRejectAnswers()
    {
        Setup("iptables -A INPUT -p tcp --dport 22 -j REJECT");
        var syn = PacketBuilder.Tcp(new IpFields(s_server2, s_server1), 55724, 22, TcpHeader.Syn, 1000);
        var partial = (byte[])syn.Clone();
        uint pseudo = Checksum.PseudoHeader(s_server2, s_server1, 6, syn.Length - 20);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(partial.AsSpan(36), (ushort)~Checksum.Finish(pseudo));
        var corrupt = (byte[])syn.Clone();
        corrupt[37] ^= 0x55;
        string capture = WriteCapture(Incoming(partial), Incoming(corrupt));

        var (code, stdout, _) = Replay($"{capture} --iface eth0=10.1.51.165/24,mac=0a:11:d1:09:77:ce");

        Assert.Equal(0, code);
        Assert.Contains("replies generated              1", stdout); // the corrupt one gets no answer, as in the kernel
        Assert.Contains("checksums completed            1", stdout);
        Assert.Contains("[2:80] -A INPUT -p tcp -m tcp --dport 22 -j REJECT", Save());
    }

    [Fact]
    public void Replay_IfaceOptionWithoutMac_LearnsMacFromCapture()
    {
        Setup("iptables -A INPUT -p icmp -j DROP");
        string capture = WriteCapture(Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1), 1, 1, new byte[8])));

        var (code, stdout, _) = Replay($"{capture} --iface eth0=10.1.51.165/24");

        Assert.Equal(0, code);
        Assert.Contains("dropped 1", stdout);
        Assert.Contains("[1:36] -A INPUT -p icmp -j DROP", Save());
    }

    [Fact]
    public void Replay_DamagedCapture_PacketsBeforeReplayedOffsetReported()
    {
        Setup("iptables -A INPUT -p icmp -j DROP");
        string capture = WriteCapture(
            Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1), 1, 1, new byte[8])),
            Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1), 1, 2, new byte[8])));
        var bytes = File.ReadAllBytes(capture);
        File.WriteAllBytes(capture, bytes[..^5]);

        var (code, _, stderr) = Replay($"{capture} --iface eth0=10.1.51.165/24,mac=0a:11:d1:09:77:ce --quiet");

        Assert.Equal(1, code);
        Assert.Equal($"sekisho replay: {capture}: at byte {24 + 16 + 50}: truncated packet data (45 of 50 bytes) (the 1 packets before it were replayed)\n", stderr);
        Assert.Contains("[1:36] -A INPUT -p icmp -j DROP", Save());
    }

    [Theory]
    [InlineData("", "sekisho replay: no capture file given\nTry `sekisho replay --help' for more information.\n", 2)]
    [InlineData("a b", "sekisho replay: unexpected argument `b' (one capture at a time)\nTry `sekisho replay --help' for more information.\n", 2)]
    [InlineData("--bogus x", "sekisho replay: unknown option `--bogus'\nTry `sekisho replay --help' for more information.\n", 2)]
    public void Replay_BadArguments_Usage(string args, string expected, int expectedCode)
    {
        var (code, _, stderr) = Replay(args);
        Assert.Equal(expectedCode, code);
        Assert.Equal(expected, stderr);
    }

    [Fact]
    public void Replay_NotACapture_Refused()
    {
        string path = Path.Combine(_state, "x.txt");
        File.WriteAllText(path, "hello world");
        var (code, _, stderr) = Replay(path);
        Assert.Equal(2, code);
        Assert.Equal($"sekisho replay: {path}: at byte 0: not a pcap or pcapng file (magic number 0x68656c6c)\n", stderr);
    }

    [Fact]
    public void Replay_NoHostModel_SaysHowToGiveOne()
    {
        string capture = WriteCapture(Incoming(PacketBuilder.Echo(new IpFields(s_server2, s_server1), 1, 1, new byte[8])));
        var (code, _, stderr) = Replay(capture);
        Assert.Equal(1, code);
        Assert.Contains("no host model", stderr);
    }

    [Fact]
    public void Replay_RawIpCapture_DirectionFromAddresses()
    {
        Setup("""
            iptables -A INPUT -p icmp
            iptables -A OUTPUT -p icmp
            """);
        string path = Path.Combine(_state, "raw.pcap");
        using (var writer = new PcapWriter(path, linkType: CaptureLinkType.Raw))
        {
            writer.Write(PacketBuilder.Echo(new IpFields(s_server2, s_server1), 1, 1, new byte[8]), s_start);
            writer.Write(PacketBuilder.Echo(new IpFields(s_server1, s_server2), 1, 1, new byte[8], reply: true), s_start);
            writer.Commit();
        }

        var (code, _, _) = Replay($"{path} --iface eth0=10.1.51.165/24");

        Assert.Equal(0, code);
        string save = Save();
        Assert.Contains("[1:36] -A INPUT -p icmp", save);
        Assert.Contains("[1:36] -A OUTPUT -p icmp", save);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private void Setup(string commands)
    {
        var tools = new SekishoTools(_state, LibcNameService.Instance);
        foreach (string line in commands.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.Equal(0, tools.Run(line.Trim()).ExitCode);
        }
    }

    private void Host(params string[] commands)
    {
        foreach (string command in commands)
        {
            var stderr = new StringWriter();
            Assert.Equal(0, new HostCommand(new StateDirectory(_state, LibcNameService.Instance)).Run(command.Split(' '), new StringWriter(), stderr));
        }
    }

    private string Save() => new SekishoTools(_state, LibcNameService.Instance).Run("iptables-save -c").Stdout;

    private (int Code, string Stdout, string Stderr) Replay(string args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = new ReplayCommand(new StateDirectory(_state, LibcNameService.Instance))
            .Run(args.Split(' ', StringSplitOptions.RemoveEmptyEntries), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static byte[] Incoming(byte[] datagram) => PacketBuilder.Ethernet(s_server1Mac, s_routerMac, datagram);

    private static byte[] Outgoing(byte[] datagram) => PacketBuilder.Ethernet(s_routerMac, s_server1Mac, datagram);

    private string WriteCapture(params byte[][] frames)
    {
        string path = Path.Combine(_state, $"capture{Guid.NewGuid():N}.pcap");
        using var writer = new PcapWriter(path);
        for (int i = 0; i < frames.Length; i++)
        {
            writer.Write(frames[i], s_start.AddSeconds(i));
        }

        writer.Commit();
        return path;
    }

    private static List<byte[]> ReadCapture(string path)
    {
        using var reader = CaptureReader.Open(path, out var error)!;
        var frames = new List<byte[]>();
        while (reader.TryRead(out var packet))
        {
            frames.Add(packet.Data.ToArray());
        }

        Assert.Null(reader.Error);
        return frames;
    }
}
