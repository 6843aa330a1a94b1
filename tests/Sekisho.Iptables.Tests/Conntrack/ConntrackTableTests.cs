using Sekisho.Netfilter.Conntrack;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Iptables.Tests.Conntrack;

/// <summary>
/// Connection tracking where a controlled clock decides: timeouts as they count down, UDP streams, expiry, the
/// table-full path, TCP timeouts by state, save and load.
/// </summary>
public sealed class ConntrackTableTests
{
    private static readonly Ipv4Address s_client = Ipv4Address.Parse("10.0.1.2");
    private static readonly Ipv4Address s_server = Ipv4Address.Parse("10.0.2.2");
    private static readonly IpFields s_toServer = new(s_client, s_server) { Id = 1, DontFragment = true };
    private static readonly IpFields s_toClient = new(s_server, s_client) { Id = 2, DontFragment = true };

    private const string Rules = """
        *filter
        :INPUT ACCEPT [0:0]
        :FORWARD ACCEPT [0:0]
        :OUTPUT ACCEPT [0:0]
        -A FORWARD -m conntrack --ctstate INVALID -j DROP
        COMMIT
        """;

    [Fact]
    public void Udp_ReplyAfterTwoSeconds_BecomesAssuredStreamWith120Seconds()
    {
        var (lab, clock) = Create();
        Udp(lab, true, 40000);
        Assert.Equal(
            "udp      17 30 src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=53 [UNREPLIED] src=10.0.2.2 dst=10.0.1.2 sport=53 dport=40000 mark=0 use=1\n",
            lab.Conntrack());
        clock.Advance(TimeSpan.FromSeconds(1));
        Udp(lab, false, 40000);
        Assert.Equal(
            "udp      17 30 src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=53 src=10.0.2.2 dst=10.0.1.2 sport=53 dport=40000 mark=0 use=1\n",
            lab.Conntrack());
        clock.Advance(TimeSpan.FromSeconds(1.5));
        Udp(lab, true, 40000);
        Assert.Equal(
            "udp      17 120 src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=53 src=10.0.2.2 dst=10.0.1.2 sport=53 dport=40000 [ASSURED] mark=0 use=1\n",
            lab.Conntrack());
    }

    [Fact]
    public void Udp_NoTrafficFor30Seconds_EntryExpires()
    {
        var (lab, clock) = Create();
        Udp(lab, true, 40000);
        clock.Advance(TimeSpan.FromSeconds(29.9));
        Assert.StartsWith("udp      17 0 ", lab.Conntrack(), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(string.Empty, lab.Conntrack());
        Assert.Empty(lab.Net.Conntrack.Connections);
    }

    [Fact]
    public void Tcp_TimeoutsFollowTheState()
    {
        var (lab, clock) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Assert.Contains("tcp      6 120 SYN_SENT ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Assert.Contains("tcp      6 60 SYN_RECV ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        Assert.Contains("tcp      6 432000 ESTABLISHED ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, true, TcpHeader.Psh | TcpHeader.Ack, 1001, 5001, 10);
        Assert.Contains("tcp      6 300 ESTABLISHED ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, false, TcpHeader.Ack, 5001, 1011);
        Assert.Contains("tcp      6 432000 ESTABLISHED ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, true, TcpHeader.Fin | TcpHeader.Ack, 1011, 5001);
        Assert.Contains("tcp      6 120 FIN_WAIT ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, false, TcpHeader.Ack, 5001, 1012);
        Assert.Contains("tcp      6 60 CLOSE_WAIT ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, false, TcpHeader.Fin | TcpHeader.Ack, 5001, 1012);
        Assert.Contains("tcp      6 30 LAST_ACK ", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, true, TcpHeader.Ack, 1012, 5002);
        Assert.Contains("tcp      6 120 TIME_WAIT ", lab.Conntrack(), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(120));
        Assert.Equal(string.Empty, lab.Conntrack());
    }

    [Fact]
    public void Tcp_ResetInEstablished_CloseFor10Seconds()
    {
        var (lab, clock) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        Tcp(lab, true, TcpHeader.Rst, 1001, 0);
        Assert.Contains("tcp      6 10 CLOSE ", lab.Conntrack(), StringComparison.Ordinal);
        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(string.Empty, lab.Conntrack());
    }

    [Fact]
    public void Tcp_OutOfWindowSegment_InvalidAndDroppedByRule()
    {
        var (lab, _) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        lab.TakeFrames();
        Tcp(lab, true, TcpHeader.Ack, 1001 + 5_000_000, 5001, 1);
        Assert.Empty(lab.TakeFrames());
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001, 1);
        Assert.Single(lab.TakeFrames());
    }

    [Fact]
    public void Tcp_LooseOff_MidstreamSegmentInvalid()
    {
        var (lab, _) = Create();
        Tcp(lab, true, TcpHeader.Ack, 777, 888, 3);
        Assert.Single(lab.TakeFrames());
        Assert.Contains("ESTABLISHED", lab.Conntrack(), StringComparison.Ordinal);
        lab.Net.Conntrack.TcpLoose = false;
        Tcp(lab, true, TcpHeader.Ack, 777, 888, 3, sourcePort: 40001);
        Assert.Empty(lab.TakeFrames());
    }

    [Fact]
    public void Tcp_BeLiberal_OutOfWindowAccepted()
    {
        var (lab, _) = Create();
        lab.Net.Conntrack.TcpBeLiberal = true;
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        lab.TakeFrames();
        Tcp(lab, true, TcpHeader.Ack, 1001 + 5_000_000, 5001, 1);
        Assert.Single(lab.TakeFrames());
    }

    [Fact]
    public void Tcp_SynRetransmission_DoesNotRenewTimeout()
    {
        var (lab, clock) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        clock.Advance(TimeSpan.FromSeconds(50));
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Assert.Contains("tcp      6 70 SYN_SENT ", lab.Conntrack(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tcp_SimultaneousOpen_ReachesEstablished()
    {
        var (lab, _) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn, 5000, 0);
        Assert.Contains("SYN_SENT2", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, true, TcpHeader.Syn | TcpHeader.Ack, 1000, 5001);
        Assert.Contains("SYN_RECV", lab.Conntrack(), StringComparison.Ordinal);
        Tcp(lab, false, TcpHeader.Ack, 5001, 1001);
        Assert.Contains("ESTABLISHED", lab.Conntrack(), StringComparison.Ordinal);
    }

    [Fact]
    public void TableFull_NothingToEarlyDrop_DropsAndWarnsRateLimited()
    {
        var (lab, clock) = Create();
        lab.Net.Conntrack.Max = 1;
        Udp(lab, true, 40000);
        lab.TakeFrames();
        for (int i = 0; i < 12; i++)
        {
            Tcp(lab, true, TcpHeader.Syn, 1000, 0, sourcePort: (ushort)(41000 + i));
        }

        Assert.Empty(lab.TakeFrames());
        var log = lab.TakeLog();
        Assert.Equal(10, log.Count);
        Assert.All(log, l => Assert.Equal((4, "nf_conntrack: table full, dropping packet"), l));

        clock.Advance(TimeSpan.FromSeconds(6));
        Tcp(lab, true, TcpHeader.Syn, 1000, 0, sourcePort: 42000);
        Assert.Equal([(4, "net_ratelimit: 2 callbacks suppressed"), (4, "nf_conntrack: table full, dropping packet")], lab.TakeLog());

        // Packets of the connection in the table still pass.
        Udp(lab, false, 40000);
        Assert.Single(lab.TakeFrames());
        Assert.Equal(1, lab.Net.Conntrack.Count);
    }

    [Fact]
    public void TableFull_UnrepliedEntriesNearby_OneIsDroppedEarly()
    {
        var (lab, _) = Create();
        lab.Net.Conntrack.Max = 900;
        for (int i = 0; i < 900; i++)
        {
            Udp(lab, true, (ushort)(30000 + i));
        }

        lab.TakeFrames();
        Udp(lab, true, 50000);
        Assert.Single(lab.TakeFrames());
        Assert.Empty(lab.TakeLog());
        Assert.Equal(900, lab.Net.Conntrack.Count);
        Assert.Contains("sport=50000", lab.Conntrack(), StringComparison.Ordinal);
    }

    [Fact]
    public void TableFull_ExpiredEntriesMakeRoom()
    {
        var (lab, clock) = Create();
        lab.Net.Conntrack.Max = 1;
        Udp(lab, true, 40000);
        clock.Advance(TimeSpan.FromSeconds(31));
        lab.TakeFrames();
        Udp(lab, true, 40001);
        Assert.Single(lab.TakeFrames());
        Assert.Contains("sport=40001", lab.Conntrack(), StringComparison.Ordinal);
    }

    [Fact]
    public void SaveLoad_RoundTrip_SameListingAndState()
    {
        var (lab, clock) = Create();
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        Udp(lab, true, 40000);
        clock.Advance(TimeSpan.FromSeconds(3));
        var saved = new MemoryStream();
        lab.Net.Conntrack.Save(saved);
        string listing = lab.Conntrack();

        var (other, otherClock) = Create();
        otherClock.Advance(TimeSpan.FromSeconds(3));
        other.Net.Conntrack.Load(new MemoryStream(saved.ToArray()));
        Assert.Equal(Sorted(listing), Sorted(other.Conntrack()));

        // Time passed since saving counts: 28 seconds later the UDP entry has gone, the TCP one has 31 fewer seconds than at first.
        var (later, laterClock) = Create();
        laterClock.Advance(TimeSpan.FromSeconds(3 + 28));
        later.Net.Conntrack.Load(new MemoryStream(saved.ToArray()));
        Assert.Equal("tcp      6 431969 ESTABLISHED src=10.0.1.2 dst=10.0.2.2 sport=40000 dport=80 src=10.0.2.2 dst=10.0.1.2 sport=80 dport=40000 [ASSURED] mark=0 use=1\n",
            later.Conntrack());

        // The restored TCP state goes on: a FIN moves it to FIN_WAIT.
        other.TakeFrames();
        Tcp(other, true, TcpHeader.Fin | TcpHeader.Ack, 1001, 5001);
        Assert.Single(other.TakeFrames());
        Assert.Contains("FIN_WAIT", other.Conntrack(), StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DamagedStream_ThrowsAndKeepsTable()
    {
        var (lab, _) = Create();
        Udp(lab, true, 40000);
        var saved = new MemoryStream();
        lab.Net.Conntrack.Save(saved);
        string before = lab.Conntrack();
        var bytes = saved.ToArray();
        for (int i = 0; i < bytes.Length; i += 7)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[i] ^= 0x40;
            Assert.Throws<InvalidDataException>(() => lab.Net.Conntrack.Load(new MemoryStream(damaged)));
            Assert.Throws<InvalidDataException>(() => lab.Net.Conntrack.Load(new MemoryStream(bytes[..i])));
        }

        Assert.Equal(before, lab.Conntrack());
    }

    [Fact]
    public void Connection_TakesAtMost128Bytes()
    {
        var original = new ConntrackTuple(s_client, s_server, 6, 1, 2);
        var reply = new ConntrackTuple(s_server, s_client, 6, 2, 1);
        _ = new Connection(original, reply);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var keep = new Connection[1000];
        for (int i = 0; i < keep.Length; i++)
        {
            keep[i] = new Connection(original, reply);
        }

        long perEntry = (GC.GetAllocatedBytesForCurrentThread() - before - (keep.Length * 8 + 24)) / keep.Length;
        Assert.True(perEntry <= 128, $"{perEntry} bytes per connection");
        GC.KeepAlive(keep);
    }

    [Fact]
    public void Lookup_AllocatesNothing()
    {
        var (lab, _) = Create();
        for (int i = 0; i < 100; i++)
        {
            Udp(lab, true, (ushort)(30000 + i));
        }

        var table = lab.Net.Conntrack;
        var tuple = new ConntrackTuple(s_server, s_client, 17, 53, 30050);
        table.Find(tuple, ConntrackZone.Default, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var found = table.Find(tuple, ConntrackZone.Default, out var direction);
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.NotNull(found);
        Assert.Equal(CtDirection.Reply, direction);
    }

    [Fact]
    public void Tracer_HearsTheStateConntrackGave()
    {
        var (lab, _) = Create();
        var tracer = new ConntrackNotes();
        lab.Net.Tracer = tracer;
        Tcp(lab, true, TcpHeader.Syn, 1000, 0);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 5000, 1001);
        Tcp(lab, true, TcpHeader.Ack, 1001, 5001);
        Tcp(lab, false, TcpHeader.Syn | TcpHeader.Ack, 7000, 1, sourcePort: 41000);
        Assert.Equal(
        [
            "NEW", "ESTABLISHED (reply direction)", "ESTABLISHED (original direction)", "INVALID (no connection)",
        ], tracer.Notes);
    }

    private sealed class ConntrackNotes : Sekisho.Netfilter.Engine.IPacketTracer
    {
        public List<string> Notes { get; } = [];

        public void TableStarted(Sekisho.Netfilter.Engine.PacketContext context)
        {
        }

        public void EntryMissed(Sekisho.Netfilter.Engine.PacketContext context, Sekisho.Netfilter.Engine.CompiledEntry entry)
        {
        }

        public void EntryMatched(Sekisho.Netfilter.Engine.PacketContext context, Sekisho.Netfilter.Engine.CompiledEntry entry)
        {
        }

        public void EntryVerdict(Sekisho.Netfilter.Engine.PacketContext context, Sekisho.Netfilter.Engine.CompiledEntry entry, uint verdict)
        {
        }

        public void TableFinished(Sekisho.Netfilter.Engine.PacketContext context, uint verdict)
        {
        }

        public void Continued(Sekisho.Netfilter.Engine.Packet from, Sekisho.Netfilter.Engine.Packet to)
        {
        }

        public void Note(Sekisho.Netfilter.Engine.Packet packet, Sekisho.Netfilter.Engine.TraceNote kind, string detail)
        {
            if (kind == Sekisho.Netfilter.Engine.TraceNote.Conntrack)
            {
                Notes.Add(detail);
            }
        }
    }

    private static (SekishoLab Lab, ManualClock Clock) Create()
    {
        var clock = new ManualClock();
        return (new SekishoLab(LabHost.Router(), Rules, clock), clock);
    }

    private static void Udp(SekishoLab lab, bool toServer, ushort clientPort) =>
        lab.Inject(toServer ? "eth0" : "eth1", lab.Host.FrameTo(toServer ? "eth0" : "eth1", toServer
            ? PacketBuilder.Udp(s_toServer, clientPort, 53, "q"u8)
            : PacketBuilder.Udp(s_toClient, 53, clientPort, "a"u8)));

    private static void Tcp(SekishoLab lab, bool toServer, byte flags, uint sequence, uint acknowledgment, int payload = 0,
        ushort sourcePort = 40000)
    {
        var datagram = toServer
            ? PacketBuilder.Tcp(s_toServer, sourcePort, 80, flags, sequence, acknowledgment, 29200, payload: new byte[payload])
            : PacketBuilder.Tcp(s_toClient, 80, sourcePort, flags, sequence, acknowledgment, 28960, payload: new byte[payload]);
        string device = toServer ? "eth0" : "eth1";
        lab.Inject(device, lab.Host.FrameTo(device, datagram));
    }

    private static string Sorted(string listing) =>
        string.Join('\n', listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
}
