using System.Buffers.Binary;
using Sekisho.Live.DataPlane;
using Sekisho.Live.Interop;
using Sekisho.TestSupport;

namespace Sekisho.Live.Tests;

/// <summary>
/// The writer on a real interface: a veth pair in a namespace of the test's own, frames put on one end's ring, read
/// with a packet socket on the other end.
/// </summary>
public sealed class FrameWriterTests
{
    // IEEE 802 "local experimental" EtherType: nothing in the namespace answers or forwards it.
    private const ushort Experimental = 0x88B5;

    [KernelTheory]
    [InlineData(true, 300)]
    [InlineData(false, 300)]
    [InlineData(true, 1)]
    [InlineData(false, 1)]
    public void Burst_LargerThanABatch_AllDeliveredInOrder(bool thread, int count)
    {
        KernelEnvironment.EnsureAvailable();
        using var ns = new KernelNamespace();
        SeedNetwork.Ip("-n", ns.Name, "link", "add", "name", "fwa", "type", "veth", "peer", "name", "fwb");
        SeedNetwork.Ip("-n", ns.Name, "link", "set", "dev", "fwa", "up");
        SeedNetwork.Ip("-n", ns.Name, "link", "set", "dev", "fwb", "up");
        var (sender, receiver) = NamespaceEntry.Run($"/run/netns/{ns.Name}", () => (PacketSocket.Open("fwa"), PacketSocket.Open("fwb")));
        using var _ = sender;
        using var __ = receiver;
        using var ring = new FrameRing();
        // With a thread, the writer's thread sends everything (InlineBytes 0); without, the caller's flush does.
        using var writer = new FrameWriter(thread ? "test-writer" : null, [(ring, sender.Fd, true)]) { InlineBytes = 0 };
        writer.Start();

        var frame = new byte[60];
        frame.AsSpan(0, 6).Fill(0xff);
        frame[6] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), Experimental);
        for (int i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(14), i);
            ring.Put(frame);
        }

        writer.Flush();

        var sequence = new List<int>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (sequence.Count < count && DateTime.UtcNow < deadline)
        {
            int n = receiver.Receive();
            if (n == 0)
            {
                Thread.Sleep(5);
                continue;
            }

            for (int i = 0; i < n; i++)
            {
                var received = receiver.Frame(i);
                if (received.Length >= 18 && BinaryPrimitives.ReadUInt16BigEndian(received[12..]) == Experimental)
                {
                    sequence.Add(BinaryPrimitives.ReadInt32BigEndian(received[14..]));
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, count), sequence);
        Assert.Equal(count, writer.Sent);
        Assert.Equal(0, writer.Dropped);
        Assert.True(ring.IsEmpty);
    }
}
