using Sekisho.Packets.Capture;

namespace Sekisho.Packets.Tests.Capture;

/// <summary>The pcap writer: what it writes reads back; an uncommitted file never appears.</summary>
public sealed class PcapWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("sekisho-pcap-").FullName;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_Commit_ReadsBackFramesAndTimes(bool nanoseconds)
    {
        string path = Path.Combine(_directory, "out.pcap");
        var time = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000).AddTicks(1_234_567);
        using (var writer = new PcapWriter(path, nanoseconds))
        {
            writer.Write(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 8, 0, 0x45 }, time);
            writer.Write(new byte[70], time.AddSeconds(1));
            writer.Commit();
            Assert.Equal(2, writer.Count);
        }

        var packets = CaptureReaderTests.ReadAll(File.ReadAllBytes(path), out var reader, out var error);
        Assert.Null(error);
        Assert.False(((PcapReader)reader).BigEndian);
        Assert.Equal(nanoseconds, ((PcapReader)reader).Nanoseconds);
        Assert.Equal(2, packets.Count);
        Assert.Equal(CaptureLinkType.Ethernet, packets[0].LinkType);
        Assert.Equal(15, packets[0].Data.Length);
        Assert.Equal(1_700_000_000L * 1_000_000_000 + (nanoseconds ? 123_456_700 : 123_456_000), packets[0].Nanoseconds);
        Assert.Equal(70, packets[1].Original);
        Assert.Equal(new[] { "out.pcap" }, Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public void Dispose_WithoutCommit_LeavesOldFileAndNoTemporary()
    {
        string path = Path.Combine(_directory, "keep.pcap");
        File.WriteAllText(path, "old");
        using (var writer = new PcapWriter(path))
        {
            writer.Write(new byte[60], DateTimeOffset.UnixEpoch);
        }

        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_directory));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
