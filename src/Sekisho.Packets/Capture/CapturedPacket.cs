namespace Sekisho.Packets.Capture;

/// <summary>One packet of a capture: its bytes (valid until the next read), time, interface and lengths.</summary>
/// <param name="Data">The captured bytes, starting with the link-layer header of <see cref="Interface"/>'s type.</param>
/// <param name="TimestampNanoseconds">Nanoseconds since the Unix epoch.</param>
/// <param name="OriginalLength">The packet's length on the wire (larger than the data when the snapshot length cut it).</param>
/// <param name="Interface">The interface it was captured on.</param>
/// <param name="Offset">The byte offset of its record in the file.</param>
public readonly record struct CapturedPacket(ReadOnlyMemory<byte> Data, long TimestampNanoseconds, int OriginalLength,
    CaptureInterface Interface, long Offset)
{
    /// <summary>The link-layer header type.</summary>
    public CaptureLinkType LinkType => Interface.LinkType;

    /// <summary>Whether the snapshot length cut the packet.</summary>
    public bool Truncated => Data.Length < OriginalLength;

    /// <summary>The capture time (to the 100 ns resolution of <see cref="DateTimeOffset"/>).</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.UnixEpoch.AddTicks(TimestampNanoseconds / 100);
}
