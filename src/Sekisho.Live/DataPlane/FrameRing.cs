using System.Runtime.InteropServices;
using Sekisho.Live.Interop;

namespace Sekisho.Live.DataPlane;

/// <summary>
/// A single-producer, single-consumer queue of frames in native memory: the engine thread puts each frame it sends
/// (behind its <c>virtio_net_hdr</c>), a <see cref="FrameWriter"/> thread takes them in order and hands them to the
/// kernel in batches.
/// </summary>
/// <remarks>
/// <para>
/// The ring is one block of bytes allocated once. A record is an 8-byte length and the bytes (header and frame,
/// contiguous, so that one <c>iovec</c> sends it), padded to 8 bytes; a record that does not fit before the end of the
/// block leaves a skip mark (length -1) and starts again at offset 0. Two counters of bytes ever written and ever
/// released tell the free space; each is written by one side only (release/acquire through <see cref="Volatile"/>),
/// so neither side locks. Putting and taking allocate nothing.
/// </para>
/// <para>
/// A full ring makes the producer wait for the writer (which always makes progress: a frame the kernel refuses is
/// dropped), so a burst is delayed, never lost here — back-pressure, as a full device queue stops the kernel's qdisc.
/// </para>
/// </remarks>
internal sealed unsafe class FrameRing : IDisposable
{
    /// <summary>The default size of the block: 64 super-frames of 64 KiB, or thousands of small frames.</summary>
    public const int DefaultCapacity = 4 << 20;

    private const int RecordHeader = 8;
    private const int SkipMark = -1;

    private readonly int _capacity;
    private byte* _memory;
    private long _written;
    private long _released;
    private long _reserved;

    /// <summary>Allocates a ring of <paramref name="capacity"/> bytes (a multiple of 8, room for two of the largest records at least).</summary>
    public FrameRing(int capacity = DefaultCapacity)
    {
        if (capacity % 8 != 0 || capacity < 2 * Align(RecordHeader + MaxRecord))
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), "a frame ring holds at least two 64 KiB frames, in multiples of 8 bytes");
        }

        _capacity = capacity;
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)capacity, 64);
    }

    /// <summary>The longest record: a <c>virtio_net_hdr</c>, an Ethernet header and a 64 KiB datagram.</summary>
    public const int MaxRecord = VirtioNetHeader.Size + 14 + 65535;

    /// <summary>The writer that takes from this ring, woken when the producer waits for room.</summary>
    public FrameWriter? Writer { get; set; }

    /// <summary>Frames put that were longer than <see cref="MaxRecord"/> (never queued).</summary>
    public long Oversized { get; private set; }

    /// <summary>Whether nothing is waiting (either side may ask).</summary>
    public bool IsEmpty => Volatile.Read(ref _written) == Volatile.Read(ref _released);

    /// <summary>
    /// Queues a frame behind a <c>virtio_net_hdr</c> for a GSO super-frame of <paramref name="gsoType"/> and
    /// <paramref name="gsoSize"/> (0 for an ordinary frame with complete checksums). Producer side.
    /// </summary>
    public void Put(ReadOnlySpan<byte> frame, byte gsoType = 0, int gsoSize = 0)
    {
        var record = Reserve(VirtioNetHeader.Size + frame.Length);
        if (record.IsEmpty)
        {
            return;
        }

        VirtioNetHeader.Write(record, gsoType, gsoSize);
        frame.CopyTo(record[VirtioNetHeader.Size..]);
        Commit();
    }

    /// <summary>Queues a frame behind the <c>virtio_net_hdr</c> it came with. Producer side.</summary>
    public void Put(ReadOnlySpan<byte> header, ReadOnlySpan<byte> frame)
    {
        var record = Reserve(header.Length + frame.Length);
        if (record.IsEmpty)
        {
            return;
        }

        header.CopyTo(record);
        frame.CopyTo(record[header.Length..]);
        Commit();
    }

    /// <summary>
    /// Room for a record of <paramref name="length"/> bytes, waiting for the writer while the ring is full; empty
    /// when the record can never fit. <see cref="Commit"/> publishes it. Producer side.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        if (length <= 0 || length > MaxRecord)
        {
            Oversized++;
            return [];
        }

        int size = Align(RecordHeader + length);
        long written = _written;
        int offset = (int)(written % _capacity);
        // Back to the start when the block's end is near, and also whenever the ring is empty and the record fits
        // before the current position: the frames then reuse the same few kilobytes, which stay in the cache,
        // instead of walking through the whole block. Either way, skip + size never exceeds the capacity.
        bool wrap = _capacity - offset < size || (offset >= size && written == Volatile.Read(ref _released));
        int skip = wrap ? _capacity - offset : 0;
        var spin = default(SpinWait);
        while (_capacity - (written - Volatile.Read(ref _released)) < skip + size)
        {
            Writer?.Wake();
            spin.SpinOnce(sleep1Threshold: -1);
        }

        if (skip != 0)
        {
            *(int*)(_memory + offset) = SkipMark;
            offset = 0;
        }

        *(int*)(_memory + offset) = length;
        _reserved = written + skip + size;
        return new Span<byte>(_memory + offset + RecordHeader, length);
    }

    /// <summary>Publishes the record <see cref="Reserve"/> returned, and tells the writer there is work. Producer side.</summary>
    public void Commit()
    {
        long size = _reserved - _written;
        Volatile.Write(ref _written, _reserved);
        Writer?.Produced(size);
    }

    /// <summary>Where the consumer stands: pass it to <see cref="TryTake"/>, then to <see cref="Release"/>. Consumer side.</summary>
    public long ReadPosition => _released;

    /// <summary>
    /// The record at <paramref name="position"/> (header and frame), advancing <paramref name="position"/> past it;
    /// false when none is waiting there. The record stays valid until <see cref="Release"/>. Consumer side.
    /// </summary>
    public bool TryTake(ref long position, out Span<byte> record)
    {
        while (position != Volatile.Read(ref _written))
        {
            int offset = (int)(position % _capacity);
            int length = *(int*)(_memory + offset);
            if (length == SkipMark)
            {
                position += _capacity - offset;
                continue;
            }

            record = new Span<byte>(_memory + offset + RecordHeader, length);
            position += Align(RecordHeader + length);
            return true;
        }

        record = default;
        return false;
    }

    /// <summary>Gives the records before <paramref name="position"/> back to the producer. Consumer side.</summary>
    public void Release(long position) => Volatile.Write(ref _released, position);

    /// <inheritdoc />
    public void Dispose()
    {
        if (_memory is not null)
        {
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }

    private static int Align(int length) => (length + 7) & ~7;
}
