using System.Buffers.Binary;
using System.Text;

namespace Sekisho.Packets.Tests.Capture;

/// <summary>Builds capture files by hand, byte by byte, in either byte order.</summary>
internal sealed class CaptureBytes(bool bigEndian)
{
    private readonly MemoryStream _stream = new();

    public byte[] ToArray() => _stream.ToArray();

    public long Length => _stream.Length;

    public CaptureBytes U16(int value)
    {
        Span<byte> b = stackalloc byte[2];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)value);
        }

        _stream.Write(b);
        return this;
    }

    public CaptureBytes U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(b, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        }

        _stream.Write(b);
        return this;
    }

    public CaptureBytes Bytes(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }

    // pcap ------------------------------------------------------------------------------------------------------

    public static CaptureBytes Pcap(bool bigEndian, bool nanoseconds, uint linkType, uint snapLength = 65535)
    {
        var bytes = new CaptureBytes(bigEndian);
        bytes.U32(nanoseconds ? 0xA1B23C4Du : 0xA1B2C3D4u).U16(2).U16(4).U32(0).U32(0).U32(snapLength).U32(linkType);
        return bytes;
    }

    public CaptureBytes Record(uint seconds, uint fraction, ReadOnlySpan<byte> data, int? original = null) =>
        U32(seconds).U32(fraction).U32((uint)data.Length).U32((uint)(original ?? data.Length)).Bytes(data);

    // pcapng ----------------------------------------------------------------------------------------------------

    public CaptureBytes SectionHeader()
    {
        // type, length 28, byte-order magic, version 1.0, section length -1, length
        U32(0x0A0D0D0A).U32(28).U32(0x1A2B3C4D).U16(1).U16(0).U32(0xFFFFFFFF).U32(0xFFFFFFFF).U32(28);
        return this;
    }

    public CaptureBytes InterfaceDescription(ushort linkType, string? name = null, byte? tsresol = null, uint snapLength = 0)
    {
        var options = new CaptureBytes(bigEndian);
        if (name is not null)
        {
            var text = Encoding.UTF8.GetBytes(name);
            options.U16(2).U16(text.Length).Bytes(text).Bytes(new byte[Pad(text.Length)]);
        }

        if (tsresol is { } r)
        {
            options.U16(9).U16(1).Bytes([r, 0, 0, 0]);
        }

        if (options.Length > 0)
        {
            options.U16(0).U16(0);
        }

        var body = options.ToArray();
        uint length = (uint)(16 + 4 + body.Length);
        return U32(1).U32(length).U16(linkType).U16(0).U32(snapLength).Bytes(body).U32(length);
    }

    public CaptureBytes EnhancedPacket(uint interfaceId, ulong timestamp, ReadOnlySpan<byte> data, int? original = null)
    {
        uint length = (uint)(32 + data.Length + Pad(data.Length));
        return U32(6).U32(length).U32(interfaceId).U32((uint)(timestamp >> 32)).U32((uint)timestamp)
            .U32((uint)data.Length).U32((uint)(original ?? data.Length)).Bytes(data).Bytes(new byte[Pad(data.Length)]).U32(length);
    }

    public CaptureBytes SimplePacket(ReadOnlySpan<byte> data)
    {
        uint length = (uint)(16 + data.Length + Pad(data.Length));
        return U32(3).U32(length).U32((uint)data.Length).Bytes(data).Bytes(new byte[Pad(data.Length)]).U32(length);
    }

    public CaptureBytes OtherBlock(uint type, int bodyLength)
    {
        uint length = (uint)(12 + bodyLength);
        return U32(type).U32(length).Bytes(new byte[bodyLength]).U32(length);
    }

    private static int Pad(int length) => (4 - length % 4) % 4;
}
