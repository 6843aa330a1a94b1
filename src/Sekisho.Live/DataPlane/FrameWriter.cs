using System.Runtime.InteropServices;
using Sekisho.Live.Interop;

namespace Sekisho.Live.DataPlane;

/// <summary>
/// A thread that hands the engine's outgoing frames to the kernel: from each of its <see cref="FrameRing"/>s in turn,
/// up to <see cref="BatchSize"/> frames with one <c>sendmmsg</c> for a packet socket, one <c>write</c> each for a TAP
/// device (which has no batched write).
/// </summary>
/// <remarks>
/// <para>
/// Sending is the larger half of the data plane's work: on a veth, the kernel runs the receiving side's stack (for
/// TCP, the whole receive path of the peer) inside the sender's system call. On a thread of its own it runs on
/// another core while the engine goes on with the next batch.
/// </para>
/// <para>
/// The writer sleeps on an <c>eventfd</c> when every ring is empty; the engine wakes it after a batch that queued
/// something (<see cref="Flush"/>), with one atomic exchange and, only when it slept, one <c>write</c>. A frame the
/// kernel refuses is dropped and counted, as the previous direct sends dropped it, after one short wait for room
/// when the socket's buffer was full. The thread allocates nothing after its start.
/// </para>
/// </remarks>
internal sealed unsafe class FrameWriter : IDisposable
{
    /// <summary>Frames sent with one <c>sendmmsg</c>.</summary>
    public const int BatchSize = 64;

    private const int MsgDontWait = 0x40;
    private const short PollOut = 4;
    private static readonly int IdleSpins = Tuning("SEKISHO_WRITER_SPINS", 50);
    private static readonly int DefaultInlineBytes = Tuning("SEKISHO_INLINE_BYTES", 16384);

    private readonly Outlet[] _outlets;
    private readonly Libc.IoVec* _vectors;
    private readonly Libc.MMsgHdr* _messages;
    private readonly long[] _ends = new long[BatchSize];
    private readonly int _wake;
    private readonly Thread? _thread;
    private int _sleeping;
    private int _taking;
    private long _produced;
    private volatile bool _stop;
    private long _allocated;

    /// <summary>
    /// Creates a writer for the given outlets (a ring and the descriptor its frames go to); <see cref="Start"/> runs
    /// its thread. Without a <paramref name="name"/> it has no thread: the producer's <see cref="Flush"/> sends.
    /// </summary>
    public FrameWriter(string? name, IReadOnlyList<(FrameRing Ring, int Fd, bool Socket)> outlets)
    {
        _outlets = new Outlet[outlets.Count];
        for (int i = 0; i < outlets.Count; i++)
        {
            _outlets[i] = new Outlet(outlets[i].Ring, outlets[i].Fd, outlets[i].Socket);
            outlets[i].Ring.Writer = this;
        }

        _wake = Libc.eventfd(0, Libc.ONonBlock | Libc.OCloExec);
        if (_wake < 0)
        {
            throw new IOException($"eventfd failed: errno {Libc.Errno}");
        }

        _vectors = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(Libc.IoVec) * BatchSize));
        _messages = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(sizeof(Libc.MMsgHdr) * BatchSize));
        for (int i = 0; i < BatchSize; i++)
        {
            _messages[i].Header.Iov = &_vectors[i];
            _messages[i].Header.IovLength = 1;
        }

        _thread = name is null ? null : new Thread(Run) { Name = name, IsBackground = true };
    }

    /// <summary>
    /// Below this many bytes queued by one engine batch, and while the writer sleeps, the engine sends them itself
    /// (0: always the writer's thread).
    /// </summary>
    public int InlineBytes { get; init; } = DefaultInlineBytes;

    /// <summary>Whether the writer has a thread of its own (else the engine's thread sends).</summary>
    public bool HasThread => _thread is not null;

    /// <summary>Frames handed to the kernel.</summary>
    public long Sent { get; private set; }

    /// <summary>Frames the kernel refused (dropped).</summary>
    public long Dropped { get; private set; }

    /// <summary>Bytes this thread allocated on the managed heap since it started (updated after each batch).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocated);

    /// <summary>Starts the thread.</summary>
    public void Start() => _thread?.Start();

    /// <summary>Notes that a ring received <paramref name="bytes"/> (engine side; <see cref="Flush"/> acts on it).</summary>
    public void Produced(long bytes) => _produced += bytes;

    /// <summary>
    /// After each of the engine's batches: sends what the batch queued on the calling thread when it is little and the
    /// writer sleeps (a wake-up would cost more than the sends), else wakes the writer.
    /// </summary>
    public void Flush()
    {
        long produced = _produced;
        if (produced == 0)
        {
            return;
        }

        _produced = 0;
        if ((_thread is null || (produced < InlineBytes && Volatile.Read(ref _sleeping) == 1)) && TrySendHere())
        {
            return;
        }

        Wake();
    }

    /// <summary>Wakes the writer if it sleeps (from any thread); without a thread, sends what is queued.</summary>
    public void Wake()
    {
        if (_thread is null)
        {
            TrySendHere();
            return;
        }

        // The exchange is a full fence: the rings' published positions are visible before the flag is read.
        if (Interlocked.Exchange(ref _sleeping, 0) == 1)
        {
            ulong one = 1;
            Libc.write(_wake, (byte*)&one, sizeof(ulong));
        }
    }

    // Empties the rings on the calling thread, unless the writer is taking from them; whether it did.
    private bool TrySendHere()
    {
        if (Interlocked.CompareExchange(ref _taking, 1, 0) != 0)
        {
            return false;
        }

        while (SendAll())
        {
        }

        Volatile.Write(ref _taking, 0);
        return true;
    }

    /// <summary>Sends what is queued, then ends the thread and waits for it.</summary>
    public void Stop()
    {
        _stop = true;
        ulong one = 1;
        Libc.write(_wake, (byte*)&one, sizeof(ulong));
        if (_thread is null)
        {
            Wake();
        }
        else if (_thread.IsAlive)
        {
            _thread.Join();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Stop();
        Libc.close(_wake);
        NativeMemory.Free(_vectors);
        NativeMemory.Free(_messages);
    }

    private void Run()
    {
        long start = GC.GetAllocatedBytesForCurrentThread();
        var poll = default(Libc.PollFd);
        poll.Fd = _wake;
        poll.Events = Libc.PollIn;
        int idle = 0;
        while (true)
        {
            if (Interlocked.CompareExchange(ref _taking, 1, 0) != 0)
            {
                // The engine is sending a small batch itself.
                Thread.Yield();
                continue;
            }

            bool worked = SendAll();
            Volatile.Write(ref _taking, 0);
            Volatile.Write(ref _allocated, GC.GetAllocatedBytesForCurrentThread() - start);
            if (worked)
            {
                idle = 0;
                continue;
            }

            if (++idle < IdleSpins)
            {
                // A short spin before sleeping: the engine's next batch usually follows within microseconds, and a
                // wake-up through the eventfd costs a system call on each side and a context switch.
                Thread.SpinWait(10);
                continue;
            }

            idle = 0;

            bool stopping = _stop;
            Interlocked.Exchange(ref _sleeping, 1);
            if (AllEmpty())
            {
                if (stopping)
                {
                    return;
                }

                Libc.poll(&poll, 1, 1000);
                ulong count;
                Libc.read(_wake, (byte*)&count, sizeof(ulong));
            }

            Volatile.Write(ref _sleeping, 0);
        }
    }

    // One batch from each outlet; whether anything was sent.
    private bool SendAll()
    {
        bool worked = false;
        foreach (var outlet in _outlets)
        {
            worked |= outlet.Socket ? SendBatch(outlet) : WriteBatch(outlet);
        }

        return worked;
    }

    private bool AllEmpty()
    {
        foreach (var outlet in _outlets)
        {
            if (!outlet.Ring.IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    // Up to BatchSize frames of a packet socket's ring with one sendmmsg; a frame refused is dropped.
    private bool SendBatch(Outlet outlet)
    {
        var ring = outlet.Ring;
        long position = ring.ReadPosition;
        int n = 0;
        while (n < BatchSize && ring.TryTake(ref position, out var record))
        {
            // The record is the ring's native memory: its address stays valid after the fixed block.
            fixed (byte* p = record)
            {
                _vectors[n].Base = p;
            }

            _vectors[n].Length = (nuint)record.Length;
            _ends[n++] = position;
        }

        if (n == 0)
        {
            return false;
        }

        int done = 0;
        bool waited = false;
        while (done < n)
        {
            int sent = Libc.sendmmsg(outlet.Fd, _messages + done, (uint)(n - done), MsgDontWait);
            if (sent > 0)
            {
                done += sent;
                Sent += sent;
                continue;
            }

            int errno = Libc.Errno;
            if (errno == Libc.EIntr)
            {
                continue;
            }

            if (errno == Libc.EAgain && !waited)
            {
                // The socket's send buffer is full: wait a moment for the kernel to free some.
                waited = true;
                var poll = new Libc.PollFd { Fd = outlet.Fd, Events = PollOut };
                Libc.poll(&poll, 1, 10);
                continue;
            }

            Dropped++;
            done++;
        }

        ring.Release(_ends[n - 1]);
        return true;
    }

    // Up to BatchSize frames of a TAP's ring, one write each (a TAP device reads one frame per write).
    private bool WriteBatch(Outlet outlet)
    {
        var ring = outlet.Ring;
        long position = ring.ReadPosition;
        int n = 0;
        while (n < BatchSize && ring.TryTake(ref position, out var record))
        {
            fixed (byte* p = record)
            {
                while (true)
                {
                    nint written = Libc.write(outlet.Fd, p, record.Length);
                    if (written == record.Length)
                    {
                        Sent++;
                        break;
                    }

                    if (written < 0 && Libc.Errno == Libc.EIntr)
                    {
                        continue;
                    }

                    Dropped++;
                    break;
                }
            }

            n++;
        }

        if (n == 0)
        {
            return false;
        }

        ring.Release(position);
        return true;
    }

    private static int Tuning(string name, int value) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int set) && set >= 0 ? set : value;

    private sealed class Outlet(FrameRing ring, int fd, bool socket)
    {
        public FrameRing Ring { get; } = ring;

        public int Fd { get; } = fd;

        public bool Socket { get; } = socket;
    }
}
