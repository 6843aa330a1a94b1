using System.Buffers.Binary;
using Sekisho.Live.DataPlane;

namespace Sekisho.Live.Tests;

/// <summary>The queue between the engine thread and a writer: order, content, wrap-around, waiting while full.</summary>
public sealed class FrameRingTests
{
    // The smallest ring allowed: two of the largest records, so that wrapping and waiting happen all the time.
    private const int SmallCapacity = 2 * ((8 + FrameRing.MaxRecord + 7) / 8 * 8);

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public void PutAndTake_TwoThreadsManyFrames_ArriveInOrderAndIntact()
    {
        using var ring = new FrameRing(SmallCapacity);
        const int count = 20_000;
        var sizes = Sizes(count, seed: 5);
        string? failure = null;
        int received = 0;
        var consumer = new Thread(() =>
        {
            long position = ring.ReadPosition;
            var stop = DateTime.UtcNow + Deadline;
            while (received < count && DateTime.UtcNow < stop)
            {
                if (!ring.TryTake(ref position, out var record))
                {
                    ring.Release(position);
                    Thread.SpinWait(10);
                    continue;
                }

                failure ??= Check(record, received, sizes[received]);
                received++;
                // Release in steps, as the writer does after each batch (and whenever it runs out).
                if (received % 7 == 0 || received == count)
                {
                    ring.Release(position);
                }
            }
        })
        { IsBackground = true };
        var producer = new Thread(() =>
        {
            for (int i = 0; i < count; i++)
            {
                Fill(ring.Reserve(sizes[i]), i);
                ring.Commit();
            }
        })
        { IsBackground = true };

        consumer.Start();
        producer.Start();

        Assert.True(producer.Join(Deadline), "the producer is stuck waiting for room");
        Assert.True(consumer.Join(Deadline), $"the consumer saw {received} of {count} frames");
        Assert.Null(failure);
        Assert.Equal(count, received);
        Assert.True(ring.IsEmpty);
    }

    [Theory]
    [InlineData(8, FrameRing.MaxRecord)]
    [InlineData(FrameRing.MaxRecord, 8)]
    [InlineData(1500, 65536)]
    [InlineData(100, 100)]
    public void PutThenTake_OneAtATime_NeverWaitsForever(int first, int second)
    {
        using var ring = new FrameRing(SmallCapacity);
        string? failure = null;
        var run = new Thread(() =>
        {
            long position = ring.ReadPosition;
            for (int i = 0; i < 200; i++)
            {
                int size = i % 2 == 0 ? first : second;
                Fill(ring.Reserve(size), i);
                ring.Commit();
                bool taken = ring.TryTake(ref position, out var record);
                failure ??= taken ? Check(record, i, size) : $"frame {i} not there";
                failure ??= ring.TryTake(ref position, out _) ? $"a frame after frame {i}" : null;
                ring.Release(position);
            }
        })
        { IsBackground = true };

        run.Start();
        Assert.True(run.Join(Deadline), "a put into an empty ring waited for room");
        Assert.Null(failure);
    }

    [Fact]
    public void Put_FrameLongerThanAnyRecord_IsCountedAndNotQueued()
    {
        using var ring = new FrameRing(SmallCapacity);

        ring.Put(new byte[FrameRing.MaxRecord]);

        Assert.Equal(1, ring.Oversized);
        Assert.True(ring.IsEmpty);
        long position = ring.ReadPosition;
        Assert.False(ring.TryTake(ref position, out _));
    }

    [Fact]
    public void Put_WithSegmentation_WritesTheVirtioHeaderBeforeTheFrame()
    {
        using var ring = new FrameRing(SmallCapacity);
        var frame = new byte[] { 1, 2, 3, 4, 5 };

        ring.Put(frame, gsoType: 1, gsoSize: 1448);

        long position = ring.ReadPosition;
        Assert.True(ring.TryTake(ref position, out var record));
        Assert.Equal(10 + frame.Length, record.Length);
        Assert.Equal(1, record[1]);
        Assert.Equal(1448, BinaryPrimitives.ReadUInt16LittleEndian(record[4..]));
        Assert.Equal(frame, record[10..].ToArray());
    }

    [Theory]
    [InlineData(SmallCapacity - 8)]
    [InlineData(SmallCapacity + 4)]
    public void Constructor_CapacityBelowTwoRecordsOrUnaligned_Throws(int capacity)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameRing(capacity));
    }

    // Mostly small frames, some full-size super-frames, a few of every size in between.
    private static int[] Sizes(int count, int seed)
    {
        var random = new Random(seed);
        var sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = random.Next(10) switch
            {
                0 => FrameRing.MaxRecord,
                1 => random.Next(8, FrameRing.MaxRecord),
                _ => random.Next(8, 1600),
            };
        }

        return sizes;
    }

    private static void Fill(Span<byte> record, int sequence)
    {
        BinaryPrimitives.WriteInt32LittleEndian(record, sequence);
        for (int i = 4; i < record.Length; i++)
        {
            record[i] = (byte)(sequence + i);
        }
    }

    private static string? Check(ReadOnlySpan<byte> record, int sequence, int size)
    {
        if (record.Length != size || BinaryPrimitives.ReadInt32LittleEndian(record) != sequence)
        {
            return $"frame {sequence}: length {record.Length} (expected {size}), sequence {BinaryPrimitives.ReadInt32LittleEndian(record)}";
        }

        for (int i = 4; i < record.Length; i++)
        {
            if (record[i] != (byte)(sequence + i))
            {
                return $"frame {sequence}: byte {i} is {record[i]}";
            }
        }

        return null;
    }
}
