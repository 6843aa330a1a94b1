using System.Net.Sockets;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions.Targets;
using Sekisho.Netfilter.Logging;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Iptables.Tests.Logging;

/// <summary>
/// The LOG line formatter on its own: the seed document's lines, devices and MAC forms per hook, UID, MARK,
/// truncated datagrams; and the syslog sink's datagrams. (The kernel lab tests compare every packet kind with the
/// real kernel; these pin the forms without one.)
/// </summary>
public sealed class LogFormatterTests
{
    private static readonly MacAddress s_server1Mac = MacAddress.Parse("0a:11:d1:09:77:ce");
    private static readonly MacAddress s_routerMac = MacAddress.Parse("0a:a2:e8:49:27:a3");
    private static readonly Ipv4Address s_server1 = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address s_server2 = Ipv4Address.Parse("10.1.77.146");
    private static readonly NetDevice s_eth0 = new("eth0", 2, DeviceType.Ethernet, s_server1Mac);
    private static readonly NetDevice s_lo = new("lo", 1, DeviceType.Loopback, default, 65536);

    [Fact]
    public void Format_SeedDocumentPing_DocumentLine()
    {
        var packet = Received(PacketBuilder.Echo(new IpFields(s_server2, s_server1) { Id = 10084, DontFragment = true }, 1496, 1, new byte[56]));
        string line = new LogFormatter().Format(packet, Hook.LocalIn, s_eth0, null, LogTarget.LogFlags.None, "[INPUT]").ToString();
        Assert.Equal("[INPUT]IN=eth0 OUT= MAC=0a:11:d1:09:77:ce:0a:a2:e8:49:27:a3:08:00 SRC=10.1.77.146 DST=10.1.51.165 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=10084 DF PROTO=ICMP TYPE=8 CODE=0 ID=1496 SEQ=1 ", line);
    }

    [Fact]
    public void Format_SeedDocumentPortUnreachable_DocumentLine()
    {
        byte[] options = [2, 4, 5, 180, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7];
        var syn = PacketBuilder.Tcp(new IpFields(s_server2, s_server1) { Id = 40037, DontFragment = true }, 55724, 22, TcpHeader.Syn, 1, 0, 26883, options);
        var error = PacketBuilder.Icmp(new IpFields(s_server1, s_server2) { Id = 41414, Tos = 0xC0 }, 3, 3, 0, syn);
        var packet = new Packet();
        packet.LoadDatagram(error);
        string line = new LogFormatter().Format(packet, Hook.LocalOut, null, s_eth0, LogTarget.LogFlags.None, "[OUTPUT] ").ToString();
        Assert.Equal("[OUTPUT] IN= OUT=eth0 SRC=10.1.51.165 DST=10.1.77.146 LEN=88 TOS=0x00 PREC=0xC0 TTL=64 ID=41414 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.1.77.146 DST=10.1.51.165 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=40037 DF PROTO=TCP SPT=55724 DPT=22 WINDOW=26883 RES=0x00 SYN URGP=0 ] ", line);
    }

    [Fact]
    public void Format_MacDecodeUidMarkOptions_KernelForms()
    {
        var packet = Received(PacketBuilder.Tcp(new IpFields(s_server2, s_server1) { Tos = 0xFF, Options = [1, 1, 1, 0] }, 1, 2, 0xFF, 7, 8, 9, [2, 4, 5, 180], urgent: 3, reserved: 0x0F));
        packet.Mark = 0x2a;
        packet.Socket = new SocketInfo(1000, 100);
        var all = LogTarget.LogFlags.MacDecode | LogTarget.LogFlags.Uid | LogTarget.LogFlags.TcpSequence | LogTarget.LogFlags.TcpOptions | LogTarget.LogFlags.IpOptions;
        string line = new LogFormatter().Format(packet, Hook.PreRouting, s_eth0, null, all, "p: ").ToString();
        Assert.Equal("p: IN=eth0 OUT= MACSRC=0a:a2:e8:49:27:a3 MACDST=0a:11:d1:09:77:ce MACPROTO=0800 SRC=10.1.77.146 DST=10.1.51.165 LEN=48 TOS=0x1E PREC=0xE0 TTL=64 ID=0 OPT (01010100) PROTO=TCP SPT=1 DPT=2 SEQ=7 ACK=8 WINDOW=9 RES=0x38 AE CWR ECE URG ACK PSH RST SYN FIN URGP=3 OPT (020405B4) UID=1000 GID=100 MARK=0x2a ", line);
    }

    [Fact]
    public void Format_DevicesPerHook_MacOnlyWithAnInputDevice()
    {
        var packet = Received(PacketBuilder.Udp(new IpFields(s_server2, s_server1), 1, 2));
        var formatter = new LogFormatter();
        Assert.StartsWith("IN= OUT=eth0 SRC=", formatter.Format(packet, Hook.LocalOut, null, s_eth0, 0, "").ToString());
        Assert.StartsWith("IN=eth0 OUT=eth1 MAC=0a:11", formatter.Format(packet, Hook.PostRouting, s_eth0, new NetDevice("eth1", 3, DeviceType.Ethernet), 0, "").ToString());

        var looped = new Packet();
        var frame = new byte[14 + 28];
        frame[12] = 8;
        PacketBuilder.Udp(new IpFields(s_server1, s_server1), 1, 2).CopyTo(frame, 14);
        looped.LoadFrame(frame, 14);
        Assert.StartsWith("IN=lo OUT= MAC=00:00:00:00:00:00:00:00:00:00:00:00:08:00 SRC=", formatter.Format(looped, Hook.LocalIn, s_lo, null, LogTarget.LogFlags.MacDecode, "").ToString());

        var bare = new Packet();
        bare.LoadDatagram(PacketBuilder.Udp(new IpFields(s_server2, s_server1), 1, 2));
        Assert.StartsWith("IN=eth0 OUT= MAC= SRC=", formatter.Format(bare, Hook.LocalIn, s_eth0, null, 0, "").ToString());
        Assert.StartsWith("IN=eth0 OUT= SRC=", formatter.Format(bare, Hook.LocalIn, s_eth0, null, LogTarget.LogFlags.MacDecode, "").ToString());
    }

    [Theory]
    [InlineData(6, 10, "PROTO=TCP INCOMPLETE [10 bytes] ")]
    [InlineData(17, 4, "PROTO=UDP INCOMPLETE [4 bytes] ")]
    [InlineData(1, 4, "PROTO=ICMP INCOMPLETE [4 bytes] ")]
    [InlineData(51, 4, "PROTO=AH INCOMPLETE [4 bytes] ")]
    [InlineData(50, 0, "PROTO=ESP INCOMPLETE [0 bytes] ")]
    [InlineData(99, 0, "PROTO=99 ")]
    public void Format_TruncatedTransport_Incomplete(byte protocol, int length, string expected)
    {
        var packet = new Packet();
        packet.LoadDatagram(PacketBuilder.Ipv4(new IpFields(s_server2, s_server1), protocol, new byte[length]));
        packet.Mark = 1;
        string line = new LogFormatter().Format(packet, Hook.LocalOut, null, s_eth0, 0, "").ToString();
        bool stops = protocol is 6 or 17;
        Assert.EndsWith(expected + (stops ? "" : "MARK=0x1 "), line);
    }

    [Fact]
    public void Format_QuotedHeaderBeyondTheEnd_KernelUnsignedArithmetic()
    {
        // The quoted header claims 60 bytes of header but the message ends after 28: the TCP offset lies past the end.
        var quoted = PacketBuilder.Tcp(new IpFields(s_server1, s_server2) { Options = new byte[40] }, 1, 2, TcpHeader.Syn)[..28];
        var packet = new Packet();
        packet.LoadDatagram(PacketBuilder.Icmp(new IpFields(s_server2, s_server1), 3, 1, 0, quoted));
        string line = new LogFormatter().Format(packet, Hook.LocalIn, null, null, 0, "").ToString();
        Assert.Contains("PROTO=TCP INCOMPLETE [4294967264 bytes] ] ", line);
    }

    [Fact]
    public void Syslog_Format_TraditionalKernelLine()
    {
        var buffer = new char[200];
        int n = SyslogSink.Format(buffer, 4, "[INPUT]IN=eth0 ", new DateTimeOffset(2017, 9, 2, 8, 58, 57, TimeSpan.Zero));
        Assert.Equal("<4>Sep  2 08:58:57 kernel: [INPUT]IN=eth0 ", new string(buffer, 0, n));
        n = SyslogSink.Format(buffer, 7, "x", new DateTimeOffset(2026, 12, 12, 23, 5, 9, TimeSpan.Zero));
        Assert.Equal("<7>Dec 12 23:05:09 kernel: x", new string(buffer, 0, n));
    }

    [Fact]
    public void Syslog_Socket_OneDatagramPerLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"sekisho-log-{Guid.NewGuid():N}");
        using var daemon = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        daemon.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            using var sink = SyslogSink.TryOpen(path, TimeZoneInfo.Utc);
            Assert.NotNull(sink);
            sink.Write(6, "hello ", new DateTimeOffset(2017, 9, 2, 9, 31, 43, TimeSpan.Zero));
            var buffer = new byte[2048];
            int n = daemon.Receive(buffer);
            Assert.Equal("<6>Sep  2 09:31:43 kernel: hello ", Encoding.UTF8.GetString(buffer, 0, n));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Syslog_NoDaemon_NullAndNoThrow()
    {
        Assert.Null(SyslogSink.TryOpen(Path.Combine(Path.GetTempPath(), "sekisho-no-such-socket")));
    }

    private static Packet Received(byte[] datagram)
    {
        var packet = new Packet();
        packet.LoadFrame(PacketBuilder.Ethernet(s_server1Mac, s_routerMac, datagram), 14);
        return packet;
    }
}
