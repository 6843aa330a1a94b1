using System.Buffers.Binary;

namespace Sekisho.Packets.Capture;

/// <summary>Reads packets from a pcap or pcapng capture, one at a time, never throwing on damaged input.</summary>
/// <remarks>
/// <see cref="Open(Stream, out CaptureError?, bool)"/> recognises the format by the first four bytes: the pcap magic numbers (microsecond
/// <c>a1b2c3d4</c> and nanosecond <c>a1b23c4d</c>, in either byte order) or the pcapng Section Header Block
/// (<c>0a0d0d0a</c>). <see cref="TryRead"/> returns the packets in file order; at the end of the file it returns
/// false, and when a record is damaged or cut short it returns false with <see cref="Error"/> naming the byte
/// offset, so the packets before it have been read and processed normally. The packet bytes live in a buffer the
/// reader reuses: a packet is valid until the next call.
/// </remarks>
public abstract class CaptureReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private byte[] _buffer = new byte[65536 + 64];

    /// <summary>Wraps a stream positioned after the first <paramref name="consumed"/> bytes of the file.</summary>
    private protected CaptureReader(Stream stream, bool leaveOpen, long consumed)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Position = consumed;
    }

    /// <summary>The byte offset of the next unread byte.</summary>
    public long Position { get; private set; }

    /// <summary>Why reading stopped early, or null (end of file reached, or still reading).</summary>
    public CaptureError? Error { get; private protected set; }

    /// <summary>The interfaces seen so far (pcap: the one the header describes).</summary>
    public abstract IReadOnlyList<CaptureInterface> Interfaces { get; }

    /// <summary>The format's name: <c>pcap</c> or <c>pcapng</c>.</summary>
    public abstract string Format { get; }

    /// <summary>
    /// Opens a capture; returns null with <paramref name="error"/> set when the stream is not a capture or its header
    /// is damaged.
    /// </summary>
    public static CaptureReader? Open(Stream stream, out CaptureError? error, bool leaveOpen = false)
    {
        Span<byte> magic = stackalloc byte[4];
        int got = ReadFully(stream, magic);
        if (got < 4)
        {
            error = new CaptureError(0, got == 0 ? "empty file" : "file too short for a capture header");
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            return null;
        }

        uint big = BinaryPrimitives.ReadUInt32BigEndian(magic);
        CaptureReader? reader = big switch
        {
            PcapReader.MicrosecondMagic or PcapReader.NanosecondMagic => new PcapReader(stream, leaveOpen, big, bigEndian: true),
            PcapReader.MicrosecondMagicSwapped or PcapReader.NanosecondMagicSwapped =>
                new PcapReader(stream, leaveOpen, BinaryPrimitives.ReverseEndianness(big), bigEndian: false),
            PcapNgReader.SectionHeaderType => new PcapNgReader(stream, leaveOpen),
            _ => null,
        };
        if (reader is null)
        {
            error = new CaptureError(0, $"not a pcap or pcapng file (magic number 0x{big:x8})");
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            return null;
        }

        if (!reader.ReadHeader())
        {
            error = reader.Error;
            reader.Dispose();
            return null;
        }

        error = null;
        return reader;
    }

    /// <summary>Opens a capture file (see <see cref="Open(Stream, out CaptureError?, bool)"/>).</summary>
    public static CaptureReader? Open(string path, out CaptureError? error) =>
        Open(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), out error);

    /// <summary>Reads the next packet; false at the end of the file or at a damaged record (then <see cref="Error"/> is set).</summary>
    public abstract bool TryRead(out CapturedPacket packet);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the stream unless it was to be left open.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Reads the file header after the magic number; false with <see cref="Error"/> set when it is damaged.</summary>
    private protected abstract bool ReadHeader();

    /// <summary>
    /// Reads exactly <paramref name="count"/> bytes into the reusable buffer; false (with <paramref name="read"/> the
    /// number that were there) at the end of the file.
    /// </summary>
    private protected bool TryFill(int count, out int read)
    {
        if (_buffer.Length < count)
        {
            _buffer = new byte[Math.Max(count, _buffer.Length * 2)];
        }

        read = ReadFully(_stream, _buffer.AsSpan(0, count));
        Position += read;
        return read == count;
    }

    /// <summary>Reads exactly <paramref name="destination"/>'s length; false at the end of the file.</summary>
    private protected bool TryFill(Span<byte> destination, out int read)
    {
        read = ReadFully(_stream, destination);
        Position += read;
        return read == destination.Length;
    }

    /// <summary>Skips <paramref name="count"/> bytes; false when the file ends first.</summary>
    private protected bool TrySkip(long count)
    {
        if (_stream.CanSeek)
        {
            long remaining = _stream.Length - _stream.Position;
            if (remaining < count)
            {
                _stream.Seek(0, SeekOrigin.End);
                Position += remaining;
                return false;
            }

            _stream.Seek(count, SeekOrigin.Current);
            Position += count;
            return true;
        }

        while (count > 0)
        {
            int chunk = (int)Math.Min(count, _buffer.Length);
            if (!TryFill(chunk, out _))
            {
                return false;
            }

            count -= chunk;
        }

        return true;
    }

    /// <summary>The reusable buffer the last <see cref="TryFill(int, out int)"/> filled.</summary>
    private protected byte[] Buffer => _buffer;

    private static int ReadFully(Stream stream, Span<byte> destination)
    {
        int total = 0;
        try
        {
            while (total < destination.Length)
            {
                int n = stream.Read(destination[total..]);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (IOException)
        {
            // A read error ends the capture like a truncation; the caller reports the offset.
        }

        return total;
    }
}
