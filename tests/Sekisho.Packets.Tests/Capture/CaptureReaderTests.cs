using Sekisho.Packets.Capture;

namespace Sekisho.Packets.Tests.Capture;

/// <summary>The pcap and pcapng readers on hand-made files: both byte orders, time resolutions, interfaces, damage.</summary>
public sealed class CaptureReaderTests
{
    private static readonly byte[] s_frameA = [.. Enumerable.Range(0, 60).Select(i => (byte)i)];
    private static readonly byte[] s_frameB = [.. Enumerable.Range(100, 43).Select(i => (byte)i)];

    public static TheoryData<bool, bool> ByteOrdersAndResolutions => new()
    {
        { false, false },
        { false, true },
        { true, false },
        { true, true },
    };

    [Theory]
    [MemberData(nameof(ByteOrdersAndResolutions))]
    public void Pcap_EitherByteOrderAndResolution_ReadsPacketsAndTimes(bool bigEndian, bool nanoseconds)
    {
        var file = CaptureBytes.Pcap(bigEndian, nanoseconds, 1)
            .Record(1_700_000_000, nanoseconds ? 123_456_789u : 123_456u, s_frameA)
            .Record(1_700_000_001, 5, s_frameB, original: 1500)
            .ToArray();

        var packets = ReadAll(file, out var reader, out var error);

        Assert.Null(error);
        Assert.Equal("pcap", reader.Format);
        Assert.Equal(2, packets.Count);
        Assert.Equal(s_frameA, packets[0].Data);
        Assert.Equal(1_700_000_000L * 1_000_000_000 + (nanoseconds ? 123_456_789 : 123_456_000), packets[0].Nanoseconds);
        Assert.Equal(CaptureLinkType.Ethernet, packets[0].LinkType);
        Assert.Equal(s_frameB, packets[1].Data);
        Assert.Equal(1500, packets[1].Original);
        Assert.Equal(1_700_000_001L * 1_000_000_000 + (nanoseconds ? 5 : 5000), packets[1].Nanoseconds);
        Assert.Equal(24, packets[0].Offset);
        Assert.Equal(24 + 16 + 60, packets[1].Offset);
    }

    [Theory]
    [InlineData(101u, CaptureLinkType.Raw)]
    [InlineData(228u, CaptureLinkType.Ipv4)]
    [InlineData(12u, CaptureLinkType.Raw)]
    [InlineData(14u, CaptureLinkType.Raw)]
    [InlineData(113u, CaptureLinkType.LinuxSll)]
    [InlineData(276u, CaptureLinkType.LinuxSll2)]
    [InlineData(0x1000_0001u, CaptureLinkType.Ethernet)]
    public void Pcap_LinkTypes_Recognised(uint value, CaptureLinkType expected)
    {
        var file = CaptureBytes.Pcap(false, false, value).Record(1, 0, s_frameA).ToArray();
        var packets = ReadAll(file, out _, out var error);
        Assert.Null(error);
        Assert.Equal(expected, Assert.Single(packets).LinkType);
    }

    [Fact]
    public void Pcap_UnsupportedLinkType_RefusedAtOpen()
    {
        var file = CaptureBytes.Pcap(false, false, 105).ToArray();
        using var reader = CaptureReader.Open(new MemoryStream(file), out var error);
        Assert.Null(reader);
        Assert.Equal("at byte 20: unsupported link type 105", error!.ToString());
    }

    [Fact]
    public void Pcap_TruncatedData_PacketsBeforeItThenOffset()
    {
        var whole = CaptureBytes.Pcap(false, false, 1).Record(1, 0, s_frameA).Record(2, 0, s_frameB).ToArray();
        var cut = whole[..^10];

        var packets = ReadAll(cut, out _, out var error);

        Assert.Single(packets);
        Assert.Equal(24 + 16 + 60, error!.Offset);
        Assert.Equal("truncated packet data (33 of 43 bytes)", error.Message);
    }

    [Fact]
    public void Pcap_TruncatedRecordHeader_ReportsOffset()
    {
        var file = CaptureBytes.Pcap(true, false, 1).Record(1, 0, s_frameA).ToArray();
        var packets = ReadAll([.. file, 1, 2, 3], out _, out var error);
        Assert.Single(packets);
        Assert.Equal(new CaptureError(100, "truncated packet record header (3 of 16 bytes)"), error);
    }

    [Fact]
    public void Pcap_HugeCapturedLength_IsDamage()
    {
        var file = CaptureBytes.Pcap(false, false, 1).Record(1, 0, s_frameA).U32(3).U32(0).U32(300_000).U32(300_000).ToArray();
        var packets = ReadAll(file, out _, out var error);
        Assert.Single(packets);
        Assert.Equal(100, error!.Offset);
        Assert.Contains("captured length 300000", error.Message);
    }

    [Theory]
    [InlineData(new byte[0], "at byte 0: empty file")]
    [InlineData(new byte[] { 1, 2 }, "at byte 0: file too short for a capture header")]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46, 0, 0 }, "at byte 0: not a pcap or pcapng file (magic number 0x7f454c46)")]
    [InlineData(new byte[] { 0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0 }, "at byte 0: truncated pcap file header")]
    public void Open_NotACapture_ReportsWhy(byte[] file, string expected)
    {
        using var reader = CaptureReader.Open(new MemoryStream(file), out var error);
        Assert.Null(reader);
        Assert.Equal(expected, error!.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PcapNg_InterfacesNamesResolutionsAndSkippedBlocks(bool bigEndian)
    {
        var file = new CaptureBytes(bigEndian).SectionHeader()
            .InterfaceDescription(1, "eth0")
            .OtherBlock(5, 20) // interface statistics
            .InterfaceDescription(276, "any", tsresol: 9)
            .EnhancedPacket(0, 1_700_000_000_123_456UL, s_frameA)
            .OtherBlock(0x0BAD, 8) // custom block
            .EnhancedPacket(1, 1_700_000_000_987_654_321UL, s_frameB, original: 1000)
            .ToArray();

        var packets = ReadAll(file, out var reader, out var error);

        Assert.Null(error);
        Assert.Equal("pcapng", reader.Format);
        Assert.Equal(2, packets.Count);
        Assert.Equal(s_frameA, packets[0].Data);
        Assert.Equal("eth0", packets[0].Interface.Name);
        Assert.Equal(CaptureLinkType.Ethernet, packets[0].LinkType);
        Assert.Equal(1_700_000_000_123_456_000L, packets[0].Nanoseconds);
        Assert.Equal(s_frameB, packets[1].Data);
        Assert.Equal("any", packets[1].Interface.Name);
        Assert.Equal(CaptureLinkType.LinuxSll2, packets[1].LinkType);
        Assert.Equal(1_700_000_000_987_654_321L, packets[1].Nanoseconds);
        Assert.Equal(1000, packets[1].Original);
    }

    [Fact]
    public void PcapNg_BinaryResolutionAndSimplePacket()
    {
        var file = new CaptureBytes(false).SectionHeader()
            .InterfaceDescription(101, "tun0", tsresol: 0x80 | 10, snapLength: 50)
            .EnhancedPacket(0, 3 * 1024 + 512, s_frameA.AsSpan(0, 20))
            .SimplePacket(s_frameA)
            .ToArray();

        var packets = ReadAll(file, out _, out var error);

        Assert.Null(error);
        Assert.Equal(3_500_000_000L, packets[0].Nanoseconds);
        Assert.Equal(s_frameA[..50], packets[1].Data); // cut to the interface's snapshot length
        Assert.Equal(60, packets[1].Original);
    }

    [Fact]
    public void PcapNg_NewSectionInOtherByteOrder_ForgetsInterfaces()
    {
        var first = new CaptureBytes(false).SectionHeader().InterfaceDescription(1, "eth0").EnhancedPacket(0, 1, s_frameA).ToArray();
        var second = new CaptureBytes(true).SectionHeader().InterfaceDescription(228, "ipv4").EnhancedPacket(0, 2, s_frameB)
            .EnhancedPacket(1, 3, s_frameB).ToArray();

        var packets = ReadAll([.. first, .. second], out var reader, out var error);

        Assert.Equal(2, packets.Count);
        Assert.Equal("ipv4", packets[1].Interface.Name);
        Assert.Equal(CaptureLinkType.Ipv4, packets[1].LinkType);
        Assert.Equal(2, reader.Interfaces.Count);
        Assert.NotNull(error);
        Assert.Contains("interface 1, which no interface description block declared", error.Message);
    }

    [Fact]
    public void PcapNg_DamagedTrailer_PacketsBeforeItThenOffset()
    {
        var good = new CaptureBytes(false).SectionHeader().InterfaceDescription(1).EnhancedPacket(0, 1, s_frameA).ToArray();
        var bad = new CaptureBytes(false).EnhancedPacket(0, 2, s_frameB).ToArray();
        bad[^1] ^= 0xFF;

        var packets = ReadAll([.. good, .. bad], out _, out var error);

        Assert.Single(packets);
        Assert.Equal(good.Length, error!.Offset);
        Assert.Contains("trailing length", error.Message);
    }

    [Fact]
    public void PcapNg_TruncatedBlock_ReportsOffset()
    {
        var file = new CaptureBytes(false).SectionHeader().InterfaceDescription(1).EnhancedPacket(0, 1, s_frameA)
            .EnhancedPacket(0, 2, s_frameB).ToArray();
        int second = file.Length - (32 + 44);

        var packets = ReadAll(file[..^7], out _, out var error);

        Assert.Single(packets);
        Assert.Equal(second, error!.Offset);
        Assert.StartsWith("truncated block of type 6", error.Message);
    }

    [Theory]
    [InlineData(13u)]
    [InlineData(4u)]
    [InlineData(0x7FFF_FFF0u)]
    public void PcapNg_BadBlockLength_IsDamage(uint length)
    {
        var file = new CaptureBytes(false).SectionHeader().U32(6).U32(length).ToArray();
        var packets = ReadAll(file, out _, out var error);
        Assert.Empty(packets);
        Assert.Equal(new CaptureError(28, $"bad block length {length}"), error);
    }

    [Fact]
    public void PcapNg_BadByteOrderMagic_RefusedAtOpen()
    {
        var file = new CaptureBytes(false).SectionHeader().ToArray();
        file[8] = 0;
        using var reader = CaptureReader.Open(new MemoryStream(file), out var error);
        Assert.Null(reader);
        Assert.StartsWith("at byte 0: section header block with a bad byte-order magic", error!.ToString());
    }

    [Fact]
    public void Readers_RandomDamage_NeverThrow()
    {
        var file = new CaptureBytes(false).SectionHeader().InterfaceDescription(1, "eth0", 9).EnhancedPacket(0, 1, s_frameA)
            .SimplePacket(s_frameB).ToArray();
        var pcap = CaptureBytes.Pcap(false, true, 113).Record(1, 2, s_frameA).Record(3, 4, s_frameB).ToArray();
        var random = new Random(1234);
        foreach (var original in new[] { file, pcap })
        {
            for (int i = 0; i < 2000; i++)
            {
                var damaged = (byte[])original.Clone();
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++)
                {
                    damaged[random.Next(damaged.Length)] = (byte)random.Next(256);
                }

                int keep = random.Next(2) == 0 ? damaged.Length : random.Next(damaged.Length);
                _ = ReadAll(damaged[..keep], out _, out _, allowOpenFailure: true);
            }
        }
    }

    [Fact]
    public void LinuxSllHeaders_Fields()
    {
        byte[] sll = [0, 4, 0, 1, 0, 6, 0x0a, 0x11, 0xd1, 0x09, 0x77, 0xce, 0, 0, 0x08, 0x00, 0x45];
        Assert.True(LinuxSllHeader.TryCreate(sll, out var v1));
        Assert.Equal(4, v1.PacketType);
        Assert.Equal(1, v1.HardwareType);
        Assert.Equal(MacAddress.Parse("0a:11:d1:09:77:ce"), MacAddress.Read(v1.Address));
        Assert.Equal(0x0800, v1.Protocol);
        Assert.Equal([0x45], v1.Payload.ToArray());
        Assert.False(LinuxSllHeader.TryCreate(sll.AsSpan(0, 15), out _));

        byte[] sll2 = [0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 0x0a, 0xa2, 0xe8, 0x49, 0x27, 0xa3, 0, 0, 0x45, 0];
        Assert.True(LinuxSll2Header.TryCreate(sll2, out var v2));
        Assert.Equal(0x0800, v2.Protocol);
        Assert.Equal(3, v2.InterfaceIndex);
        Assert.Equal(1, v2.HardwareType);
        Assert.Equal(0, v2.PacketType);
        Assert.Equal(MacAddress.Parse("0a:a2:e8:49:27:a3"), MacAddress.Read(v2.Address));
        Assert.Equal(2, v2.Payload.Length);
        Assert.False(LinuxSll2Header.TryCreate(sll2.AsSpan(0, 19), out _));
    }

    internal static List<(byte[] Data, long Nanoseconds, int Original, CaptureLinkType LinkType, CaptureInterface Interface, long Offset)> ReadAll(
        byte[] file, out CaptureReader reader, out CaptureError? error, bool allowOpenFailure = false)
    {
        var opened = CaptureReader.Open(new MemoryStream(file), out error);
        var packets = new List<(byte[], long, int, CaptureLinkType, CaptureInterface, long)>();
        if (opened is null)
        {
            Assert.True(allowOpenFailure, $"open failed: {error}");
            reader = null!;
            return packets;
        }

        reader = opened;
        using (opened)
        {
            while (opened.TryRead(out var packet))
            {
                packets.Add((packet.Data.ToArray(), packet.TimestampNanoseconds, packet.OriginalLength, packet.LinkType, packet.Interface, packet.Offset));
            }

            error = opened.Error;
        }

        return packets;
    }
}
