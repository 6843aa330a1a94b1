using Sekisho.Netfilter.Engine;
using Sekisho.Packets;
using Sekisho.TestSupport.Lab;

namespace Sekisho.Live.Tests;

/// <summary>What the engine does for live mode: local delivery handed over, GSO super-frames forwarded whole.</summary>
public sealed class LiveEngineTests
{
    private static readonly Ipv4Address Server1 = Ipv4Address.Parse("10.1.51.165");
    private static readonly Ipv4Address Server2 = Ipv4Address.Parse("10.1.77.146");

    [Fact]
    public void LocalDelivery_Set_TakesWhatInputAcceptedAndTheEngineAnswersNothing()
    {
        using var lab = new SekishoLab(LabHost.SeedServer1(), LiveScenario.LogRules);
        var delivered = new Collector();
        lab.Net.LocalDelivery = delivered;
        var echo = PacketBuilder.Echo(new IpFields(Server2, Server1) { DontFragment = true }, 7, 1, new byte[56]);
        var frame = lab.Host.FrameTo("eth0", echo);

        lab.Inject("eth0", frame);

        Assert.Equal([Convert.ToHexString(frame)], delivered.Frames);
        Assert.Empty(lab.TakeFrames());
        Assert.Single(lab.TakeLog());
    }

    [Fact]
    public void LocalDelivery_Unset_TheEngineStackAnswers()
    {
        using var lab = new SekishoLab(LabHost.SeedServer1(), LiveScenario.LogRules);
        var echo = PacketBuilder.Echo(new IpFields(Server2, Server1) { DontFragment = true }, 7, 1, new byte[56]);
        lab.Inject("eth0", lab.Host.FrameTo("eth0", echo));
        Assert.Single(lab.TakeFrames());
    }

    [Theory]
    [InlineData(1448, true)]
    [InlineData(0, false)]
    public void Forward_SuperFrame_LeavesWholeOnlyAsGso(int gsoSize, bool forwarded)
    {
        using var lab = new SekishoLab(LabHost.Router());
        var ip = new IpFields(Ipv4Address.Parse("10.0.1.2"), Ipv4Address.Parse("10.0.2.2")) { DontFragment = true };
        var segment = PacketBuilder.Tcp(ip, 40000, 80, 0x18, payload: new byte[2 * 1448]);
        var packet = lab.Net.Pool.Rent();
        packet.LoadFrame(lab.Host.FrameTo("eth0", segment), 14);
        packet.InDevice = lab.Net.Host.FindDevice("eth0");
        packet.GsoType = gsoSize == 0 ? (byte)0 : (byte)1;
        packet.GsoSize = gsoSize;

        var result = lab.Net.Receive(packet, owned: true);

        var frames = lab.TakeFrames();
        var sent = Assert.Single(frames);
        if (forwarded)
        {
            Assert.Equal(PacketFate.Forwarded, result.Fate);
            Assert.Equal("eth1", sent.Interface);
            Assert.Equal(14 + segment.Length, sent.Bytes.Length);
        }
        else
        {
            // ip_forward's "fragmentation needed" back to the sender (ICMP type 3 code 4).
            Assert.Equal(PacketFate.Unroutable, result.Fate);
            Assert.Equal("eth0", sent.Interface);
            Assert.Equal(1, sent.Bytes[14 + 9]);
            Assert.Equal((3, 4), (sent.Bytes[14 + 20], sent.Bytes[14 + 21]));
        }
    }

    private sealed class Collector : ILocalDelivery
    {
        public List<string> Frames { get; } = [];

        public void Deliver(Packet packet) => Frames.Add(Convert.ToHexString(packet.Frame(packet.MacHeader)));
    }
}
