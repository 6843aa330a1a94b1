using System.Buffers.Binary;
using Sekisho.Live.DataPlane;
using Sekisho.Live.Interop;
using Sekisho.Packets;

namespace Sekisho.Live.Tests;

/// <summary>The data plane's link-layer pieces: ARP frames, checksum completion, virtio_net_hdr.</summary>
public sealed class LinkLayerTests
{
    private static readonly MacAddress Mac = MacAddress.Parse("0a:11:d1:09:77:ce");

    [Fact]
    public void ArpRequest_WrittenThenRead_GivesTheSender()
    {
        var frame = new byte[60];
        ArpFrames.WriteRequest(frame, Mac, Ipv4Address.Parse("10.1.51.165"), Ipv4Address.Parse("10.1.77.146"));

        Assert.Equal(MacAddress.Broadcast, MacAddress.Read(frame));
        Assert.Equal(0x0806, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(20)));
        Assert.Equal(Ipv4Address.Parse("10.1.77.146"), Ipv4Address.Read(frame.AsSpan(38)));
        Assert.True(ArpFrames.TryReadSender(frame, out var address, out var mac));
        Assert.Equal(Ipv4Address.Parse("10.1.51.165"), address);
        Assert.Equal(Mac, mac);
    }

    [Theory]
    [InlineData(0x0800)]
    [InlineData(0x86DD)]
    public void TryReadSender_NotArp_IsFalse(int etherType)
    {
        var frame = new byte[60];
        ArpFrames.WriteRequest(frame, Mac, Ipv4Address.Parse("10.1.51.165"), Ipv4Address.Parse("10.1.77.146"));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), (ushort)etherType);
        Assert.False(ArpFrames.TryReadSender(frame, out _, out _));
    }

    [Fact]
    public void TryReadSender_ProbeFromZeroAddress_IsFalse()
    {
        var frame = new byte[60];
        ArpFrames.WriteRequest(frame, Mac, default, Ipv4Address.Parse("10.1.77.146"));
        Assert.False(ArpFrames.TryReadSender(frame, out _, out _));
    }

    [Theory]
    [InlineData(6, 1000)]
    [InlineData(17, 999)]
    public void Complete_PseudoHeaderSumOnly_GivesTheFullChecksum(byte protocol, int payload)
    {
        var frame = Frame(protocol, payload);
        int field = 14 + 20 + (protocol == 6 ? 16 : 6);
        ushort full = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field));

        // What checksum offload leaves: the folded pseudo-header sum, not complemented.
        var ip = frame.AsSpan(14);
        uint pseudo = Checksum.PseudoHeader(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), protocol, ip.Length - 20);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(field), (ushort)~Checksum.Finish(pseudo));
        Assert.NotEqual(full, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));

        TransportChecksum.Complete(frame);
        Assert.Equal(full, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(field)));
        Assert.True(Checksum.Verify(ip[20..], pseudo));
    }

    [Fact]
    public void Complete_Fragment_IsLeftAlone()
    {
        var frame = Frame(17, 100);
        frame[14 + 6] = 0x20; // more fragments
        var before = frame.ToArray();
        frame[14 + 20 + 6] ^= 0xFF;
        before[14 + 20 + 6] ^= 0xFF;
        TransportChecksum.Complete(frame);
        Assert.Equal(before, frame);
    }

    [Fact]
    public void VirtioNetHeader_RoundTrip()
    {
        var header = new byte[VirtioNetHeader.Size];
        VirtioNetHeader.Write(header, 1, 1448);
        Assert.Equal(((byte)1, 1448), VirtioNetHeader.Segmentation(header));
        Assert.False(VirtioNetHeader.ChecksumNotReady(header));
        header[0] = VirtioNetHeader.NeedsChecksum;
        Assert.True(VirtioNetHeader.ChecksumNotReady(header));
        VirtioNetHeader.Write(header, 0, 1448);
        Assert.Equal(((byte)0, 0), VirtioNetHeader.Segmentation(header));
    }

    // An Ethernet frame with an IPv4 datagram from server 2 to server 1 and a TCP or UDP header with a correct checksum.
    private static byte[] Frame(byte protocol, int payload)
    {
        int transport = protocol == 6 ? 20 : 8;
        var frame = new byte[14 + 20 + transport + payload];
        Mac.Write(frame);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), 0x0800);
        var ip = frame.AsSpan(14);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)ip.Length);
        ip[8] = 64;
        ip[9] = protocol;
        Ipv4Address.Parse("10.1.77.146").Write(ip[12..]);
        Ipv4Address.Parse("10.1.51.165").Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..20]));
        var segment = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(segment, 40000);
        BinaryPrimitives.WriteUInt16BigEndian(segment[2..], 22);
        if (protocol == 6)
        {
            segment[12] = 0x50;
            segment[13] = 0x18;
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(segment[4..], (ushort)segment.Length);
        }

        for (int i = transport; i < segment.Length; i++)
        {
            segment[i] = (byte)(i * 7);
        }

        int field = protocol == 6 ? 16 : 6;
        uint pseudo = Checksum.PseudoHeader(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), protocol, segment.Length);
        BinaryPrimitives.WriteUInt16BigEndian(segment[field..], Checksum.Finish(Checksum.Add(segment, pseudo)));
        return frame;
    }
}
