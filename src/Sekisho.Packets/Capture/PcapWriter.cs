using System.Buffers.Binary;

namespace Sekisho.Packets.Capture;

/// <summary>Writes a pcap file of Ethernet frames; the file appears whole on <see cref="Commit"/>, or not at all.</summary>
/// <remarks>
/// Little-endian pcap 2.4 with microsecond timestamps (or nanoseconds when asked), link type 1, snapshot length
/// 262,144: the form tcpdump writes and every tool reads. Records go to a temporary file next to the target;
/// <see cref="Commit"/> flushes it to disk and renames it over the target, and disposing without committing deletes
/// it, so an interrupted run never leaves a half-written capture.
/// </remarks>
public sealed class PcapWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly string _temporary;
    private readonly bool _nanoseconds;
    private readonly byte[] _record = new byte[16];
    private bool _done;

    /// <summary>Starts a capture that will replace <paramref name="path"/> on <see cref="Commit"/>.</summary>
    public PcapWriter(string path, bool nanoseconds = false, CaptureLinkType linkType = CaptureLinkType.Ethernet)
    {
        _path = Path.GetFullPath(path);
        _temporary = Path.Combine(Path.GetDirectoryName(_path) ?? ".", $".{Path.GetFileName(_path)}.{Environment.ProcessId}.tmp");
        _nanoseconds = nanoseconds;
        _stream = new FileStream(_temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        Span<byte> header = stackalloc byte[24];
        BinaryPrimitives.WriteUInt32LittleEndian(header, nanoseconds ? PcapReader.NanosecondMagic : PcapReader.MicrosecondMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], PcapReader.MaximumRecordLength);
        BinaryPrimitives.WriteUInt32LittleEndian(header[20..], (uint)linkType);
        _stream.Write(header);
    }

    /// <summary>The number of packets written.</summary>
    public long Count { get; private set; }

    /// <summary>Appends a frame captured at <paramref name="time"/>.</summary>
    public void Write(ReadOnlySpan<byte> frame, DateTimeOffset time)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        long ticks = (time - DateTimeOffset.UnixEpoch).Ticks;
        if (ticks < 0)
        {
            ticks = 0;
        }

        long seconds = ticks / TimeSpan.TicksPerSecond;
        long rest = ticks % TimeSpan.TicksPerSecond;
        int length = Math.Min(frame.Length, PcapReader.MaximumRecordLength);
        BinaryPrimitives.WriteUInt32LittleEndian(_record, (uint)seconds);
        BinaryPrimitives.WriteUInt32LittleEndian(_record.AsSpan(4), (uint)(_nanoseconds ? rest * 100 : rest / 10));
        BinaryPrimitives.WriteUInt32LittleEndian(_record.AsSpan(8), (uint)length);
        BinaryPrimitives.WriteUInt32LittleEndian(_record.AsSpan(12), (uint)frame.Length);
        _stream.Write(_record);
        _stream.Write(frame[..length]);
        Count++;
    }

    /// <summary>Flushes the file to disk and renames it over the target.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temporary, _path, overwrite: true);
        _done = true;
    }

    /// <summary>Discards the file unless it was committed.</summary>
    public void Dispose()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        _stream.Dispose();
        try
        {
            File.Delete(_temporary);
        }
        catch (IOException)
        {
        }
    }
}
