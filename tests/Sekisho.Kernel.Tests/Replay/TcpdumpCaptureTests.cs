using System.Buffers.Binary;
using Sekisho.Packets;
using Sekisho.Packets.Capture;
using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Replay;

/// <summary>The capture readers on files tcpdump wrote: Ethernet with micro- and nanosecond times, and <c>-i any</c> (Linux cooked v2).</summary>
public sealed class TcpdumpCaptureTests
{
    [KernelFact]
    public void Tcpdump_EthernetMicroAndNano_PingReadBackWithMacsAndTimes()
    {
        using var network = new SeedNetwork();
        string directory = Directory.CreateTempSubdirectory("sekisho-tcpdump-").FullName;
        try
        {
            string micro = Path.Combine(directory, "micro.pcap");
            string nano = Path.Combine(directory, "nano.pcap");
            var before = DateTimeOffset.UtcNow.AddSeconds(-1);
            var first = network.StartCapture(network.Server1, micro, "eth0");
            var second = network.StartCapture(network.Server1, nano, "eth0", "--time-stamp-precision=nano");
            SeedNetwork.Run(network.Server2, "ping", "-c", "2", "-i", "0.2", "10.1.51.165");
            SeedNetwork.StopCapture(first);
            SeedNetwork.StopCapture(second);
            var after = DateTimeOffset.UtcNow.AddSeconds(1);

            foreach (var (path, isNano) in new[] { (micro, false), (nano, true) })
            {
                using var reader = CaptureReader.Open(path, out var error);
                Assert.True(reader is not null, $"{path}: {error}");
                Assert.Equal(isNano, ((PcapReader)reader!).Nanoseconds);
                var echoes = new List<(byte Type, MacAddress Source, DateTimeOffset Time, long Nanoseconds)>();
                while (reader.TryRead(out var packet))
                {
                    Assert.Equal(CaptureLinkType.Ethernet, packet.LinkType);
                    var frame = packet.Data.Span;
                    if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == 0x0800 && frame[23] == 1)
                    {
                        echoes.Add((frame[34], MacAddress.Read(frame[6..]), packet.Timestamp, packet.TimestampNanoseconds));
                    }
                }

                Assert.Null(reader.Error);
                Assert.Equal([8, 0, 8, 0], echoes.Select(e => e.Type));
                Assert.Equal(MacAddress.Parse("0a:a2:e8:49:27:a3"), echoes[0].Source);
                Assert.Equal(MacAddress.Parse("0a:11:d1:09:77:ce"), echoes[1].Source);
                Assert.All(echoes, e => Assert.InRange(e.Time, before, after));
                if (!isNano)
                {
                    Assert.All(echoes, e => Assert.Equal(0, e.Nanoseconds % 1000));
                }
            }

            // The nanosecond capture's times are those of the microsecond one, to the microsecond.
            var microTimes = Times(micro);
            var nanoTimes = Times(nano);
            Assert.Equal(microTimes.Count, nanoTimes.Count);
            for (int i = 0; i < microTimes.Count; i++)
            {
                Assert.Equal(microTimes[i] / 1000, nanoTimes[i] / 1000);
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [KernelFact]
    public void Tcpdump_AnyInterface_CookedV2WithIndexAndDirection()
    {
        using var network = new SeedNetwork();
        string directory = Directory.CreateTempSubdirectory("sekisho-tcpdump-").FullName;
        try
        {
            string path = Path.Combine(directory, "any.pcap");
            var capture = network.StartCapture(network.Server1, path, "any");
            SeedNetwork.Run(network.Server2, "ping", "-c", "1", "10.1.51.165");
            SeedNetwork.StopCapture(capture);
            int index = int.Parse(SeedNetwork.Run(network.Server1, "cat", "/sys/class/net/eth0/ifindex").Stdout.Trim(),
                System.Globalization.CultureInfo.InvariantCulture);

            using var reader = CaptureReader.Open(path, out var error);
            Assert.True(reader is not null, $"{error}");
            var seen = new List<(byte PacketType, int Index, MacAddress Address, byte IcmpType)>();
            while (reader!.TryRead(out var packet))
            {
                Assert.Equal(CaptureLinkType.LinuxSll2, packet.LinkType);
                Assert.True(LinuxSll2Header.TryCreate(packet.Data.Span, out var sll));
                if (sll.Protocol == 0x0800 && sll.Payload[9] == 1)
                {
                    seen.Add((sll.PacketType, sll.InterfaceIndex, MacAddress.Read(sll.Address), sll.Payload[20]));
                }
            }

            Assert.Null(reader.Error);
            Assert.Equal(
            [
                (0, index, MacAddress.Parse("0a:a2:e8:49:27:a3"), 8),
                (4, index, MacAddress.Parse("0a:11:d1:09:77:ce"), 0),
            ], seen);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<long> Times(string path)
    {
        using var reader = CaptureReader.Open(path, out _)!;
        var times = new List<long>();
        while (reader.TryRead(out var packet))
        {
            times.Add(packet.TimestampNanoseconds);
        }

        return times;
    }
}
