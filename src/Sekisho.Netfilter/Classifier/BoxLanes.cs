using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// Boxes in priority order, stored as blocks of eight lanes per field (struct of arrays), so that one pass of
/// <see cref="Vector256"/> instructions checks eight boxes at once.
/// </summary>
/// <remarks>
/// A lane array is a <c>uint[]</c> of whole blocks; block <c>b</c> holds, for boxes <c>8b .. 8b+7</c>, the fields
/// in this order: priority, source, source mask, destination, destination mask, protocol, protocol mask, the two
/// lowest ports (source in the low half, destination in the high half) and the two highest ports. A block is 288
/// contiguous bytes, read front to back. Lanes past the last box hold a box that holds no packet, with priority
/// <see cref="int.MaxValue"/>. The check is <see cref="RuleBox.Contains"/> lane by lane: masked addresses and
/// protocol XOR the box's must be zero, and each port must lie within its range (unsigned 16-bit compares).
/// </remarks>
internal static class BoxLanes
{
    /// <summary>Boxes per block.</summary>
    internal const int Width = 8;

    private const int Fields = 9;
    private const int BlockSize = Width * Fields;
    private const int PriorityField = 0;
    private const int SourceField = 1;
    private const int SourceMaskField = 2;
    private const int DestinationField = 3;
    private const int DestinationMaskField = 4;
    private const int ProtocolField = 5;
    private const int ProtocolMaskField = 6;
    private const int PortsMinField = 7;
    private const int PortsMaxField = 8;

    /// <summary>The number of boxes <paramref name="lanes"/> has room for.</summary>
    internal static int Capacity(uint[] lanes) => lanes.Length / Fields;

    /// <summary>The bytes of a lane array.</summary>
    internal static long Bytes(uint[] lanes) => 24 + lanes.Length * 4L;

    /// <summary>The box at <paramref name="index"/>.</summary>
    internal static RuleBox Get(uint[] lanes, int index)
    {
        int at = index / Width * BlockSize + index % Width;
        uint portsMin = lanes[at + PortsMinField * Width];
        uint portsMax = lanes[at + PortsMaxField * Width];
        return new RuleBox
        {
            Priority = (int)lanes[at + PriorityField * Width],
            Source = lanes[at + SourceField * Width],
            SourceMask = lanes[at + SourceMaskField * Width],
            Destination = lanes[at + DestinationField * Width],
            DestinationMask = lanes[at + DestinationMaskField * Width],
            Protocol = (byte)lanes[at + ProtocolField * Width],
            ProtocolMask = (byte)lanes[at + ProtocolMaskField * Width],
            SourcePortMin = (ushort)portsMin,
            DestinationPortMin = (ushort)(portsMin >> 16),
            SourcePortMax = (ushort)portsMax,
            DestinationPortMax = (ushort)(portsMax >> 16),
        };
    }

    /// <summary>
    /// Inserts <paramref name="box"/> at <paramref name="index"/> of the <paramref name="count"/> boxes, moving the
    /// later ones up; returns the array, a larger one when <paramref name="lanes"/> was full or null.
    /// </summary>
    internal static uint[] Insert(uint[]? lanes, int count, int index, in RuleBox box)
    {
        if (lanes is null || count == Capacity(lanes))
        {
            var larger = New(lanes is null ? Width : Capacity(lanes) * 2);
            for (int i = 0; i < count; i++)
            {
                Set(larger, i, Get(lanes!, i));
            }

            lanes = larger;
        }

        for (int i = count; i > index; i--)
        {
            Set(lanes, i, Get(lanes, i - 1));
        }

        Set(lanes, index, box);
        return lanes;
    }

    /// <summary>Removes the box at <paramref name="index"/> of the <paramref name="count"/> boxes, moving the later ones down.</summary>
    internal static void RemoveAt(uint[] lanes, int count, int index)
    {
        for (int i = index; i < count - 1; i++)
        {
            Set(lanes, i, Get(lanes, i + 1));
        }

        SetNone(lanes, count - 1);
    }

    /// <summary>The index of the first of the <paramref name="count"/> boxes whose priority is at least <paramref name="priority"/>.</summary>
    internal static int Position(uint[] lanes, int count, int priority)
    {
        int i = 0;
        while (i < count && (int)lanes[i / Width * BlockSize + i % Width] < priority)
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Lowers <paramref name="best"/> to the priority of the first of the <paramref name="count"/> boxes, at or after
    /// priority <paramref name="from"/> and before <paramref name="best"/>, that holds the packet.
    /// </summary>
    internal static void Scan(uint[] lanes, int count, in PacketKey key, int from, ref int best)
    {
        ref uint block = ref MemoryMarshal.GetArrayDataReference(lanes);
        var source = Vector256.Create(key.Source);
        var destination = Vector256.Create(key.Destination);
        var protocol = Vector256.Create((uint)key.Protocol);
        var ports = Vector256.Create(key.SourcePort | ((uint)key.DestinationPort << 16)).AsUInt16();
        var start = Vector256.Create(from);
        for (int i = 0; i < count; i += Width, block = ref Unsafe.Add(ref block, BlockSize))
        {
            if ((int)block >= best)
            {
                return;
            }

            var priority = Load(ref block, PriorityField).AsInt32();
            var addresses = ((source & Load(ref block, SourceMaskField)) ^ Load(ref block, SourceField))
                | ((destination & Load(ref block, DestinationMaskField)) ^ Load(ref block, DestinationField))
                | ((protocol & Load(ref block, ProtocolMaskField)) ^ Load(ref block, ProtocolField));
            var outside = Vector256.GreaterThan(Load(ref block, PortsMinField).AsUInt16(), ports)
                | Vector256.GreaterThan(ports, Load(ref block, PortsMaxField).AsUInt16());
            var hits = Vector256.Equals(addresses | outside.AsUInt32(), Vector256<uint>.Zero).AsInt32()
                & Vector256.GreaterThanOrEqual(priority, start) & Vector256.LessThan(priority, Vector256.Create(best));
            uint bits = hits.ExtractMostSignificantBits();
            if (bits != 0)
            {
                best = (int)Unsafe.Add(ref block, BitOperations.TrailingZeroCount(bits));
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Load(ref uint block, int field) => Vector256.LoadUnsafe(ref block, (nuint)(field * Width));

    private static uint[] New(int capacity)
    {
        var lanes = new uint[capacity / Width * BlockSize];
        for (int i = 0; i < capacity; i++)
        {
            SetNone(lanes, i);
        }

        return lanes;
    }

    // A box that holds no packet (source 1 under mask 0) and comes after every other.
    private static void SetNone(uint[] lanes, int index)
    {
        var none = RuleBox.Any(int.MaxValue);
        none.Source = 1;
        Set(lanes, index, none);
    }

    private static void Set(uint[] lanes, int index, in RuleBox box)
    {
        int at = index / Width * BlockSize + index % Width;
        lanes[at + PriorityField * Width] = (uint)box.Priority;
        lanes[at + SourceField * Width] = box.Source;
        lanes[at + SourceMaskField * Width] = box.SourceMask;
        lanes[at + DestinationField * Width] = box.Destination;
        lanes[at + DestinationMaskField * Width] = box.DestinationMask;
        lanes[at + ProtocolField * Width] = box.Protocol;
        lanes[at + ProtocolMaskField * Width] = box.ProtocolMask;
        lanes[at + PortsMinField * Width] = box.SourcePortMin | ((uint)box.DestinationPortMin << 16);
        lanes[at + PortsMaxField * Width] = box.SourcePortMax | ((uint)box.DestinationPortMax << 16);
    }
}
