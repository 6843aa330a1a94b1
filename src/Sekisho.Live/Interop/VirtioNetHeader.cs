using System.Buffers.Binary;

namespace Sekisho.Live.Interop;

/// <summary>
/// <c>struct virtio_net_hdr</c>, which packet sockets (<c>PACKET_VNET_HDR</c>) and TAP devices (<c>IFF_VNET_HDR</c>)
/// put in front of each frame: checksum offload and segmentation of GSO super-frames, in host byte order.
/// </summary>
internal static class VirtioNetHeader
{
    /// <summary>The header's length.</summary>
    public const int Size = 10;

    /// <summary><c>VIRTIO_NET_HDR_F_NEEDS_CSUM</c>: the transport checksum holds only the pseudo-header sum.</summary>
    public const byte NeedsChecksum = 1;

    /// <summary>Whether the frame's transport checksum is left unfinished.</summary>
    public static bool ChecksumNotReady(ReadOnlySpan<byte> header) => (header[0] & NeedsChecksum) != 0;

    /// <summary>The segmentation (<c>gso_type</c>, 0 for an ordinary frame; <c>gso_size</c>).</summary>
    public static (byte Type, int Size) Segmentation(ReadOnlySpan<byte> header) =>
        (header[1], BinaryPrimitives.ReadUInt16LittleEndian(header[4..]));

    /// <summary>Writes a header for a frame with complete checksums, segmented as given.</summary>
    public static void Write(Span<byte> header, byte gsoType, int gsoSize)
    {
        header[..Size].Clear();
        header[1] = gsoType;
        if (gsoType != 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)gsoSize);
        }
    }
}
