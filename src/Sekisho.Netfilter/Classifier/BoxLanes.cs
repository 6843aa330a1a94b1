using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Sekisho.Netfilter.Classifier;

/// <summary>
/// Boxes in priority order, stored field by field (struct of arrays), so that one pass of <see cref="Vector256"/>
/// instructions checks eight boxes at once.
/// </summary>
/// <remarks>
/// A lane array is a <c>uint[]</c> of nine runs of <c>capacity</c> lanes (a multiple of eight), one run per field:
/// priority, source, source mask, destination, destination mask, protocol, protocol mask, the two lowest ports
/// (source in the low half, destination in the high half) and the two highest ports. A run per field makes inserting
/// and deleting nine block moves, and a scan reads nine sequential streams. Lanes past the last box hold a box that
/// holds no packet, with priority <see cref="int.MaxValue"/>. The check is <see cref="RuleBox.Contains"/> lane by
/// lane: masked addresses and protocol XOR the box's must be zero, and each port must lie within its range
/// (unsigned 16-bit compares).
/// </remarks>
internal static class BoxLanes
{
    /// <summary>Boxes per vector.</summary>
    internal const int Width = 8;

    private const int Fields = 9;
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
        int capacity = Capacity(lanes);
        uint portsMin = lanes[PortsMinField * capacity + index];
        uint portsMax = lanes[PortsMaxField * capacity + index];
        return new RuleBox
        {
            Priority = (int)lanes[PriorityField * capacity + index],
            Source = lanes[SourceField * capacity + index],
            SourceMask = lanes[SourceMaskField * capacity + index],
            Destination = lanes[DestinationField * capacity + index],
            DestinationMask = lanes[DestinationMaskField * capacity + index],
            Protocol = (byte)lanes[ProtocolField * capacity + index],
            ProtocolMask = (byte)lanes[ProtocolMaskField * capacity + index],
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
            if (lanes is not null)
            {
                int capacity = Capacity(lanes);
                for (int field = 0; field < Fields; field++)
                {
                    Array.Copy(lanes, field * capacity, larger, field * Capacity(larger), count);
                }
            }

            lanes = larger;
        }

        Move(lanes, index, index + 1, count - index);
        Set(lanes, index, box);
        return lanes;
    }

    /// <summary>Removes the box at <paramref name="index"/> of the <paramref name="count"/> boxes, moving the later ones down.</summary>
    internal static void RemoveAt(uint[] lanes, int count, int index)
    {
        Move(lanes, index + 1, index, count - index - 1);
        SetNone(lanes, count - 1);
    }

    /// <summary>The index of the first of the <paramref name="count"/> boxes whose priority is at least <paramref name="priority"/>.</summary>
    internal static int Position(uint[] lanes, int count, int priority)
    {
        // The priority run is sorted: a binary search over its first "count" lanes.
        int low = 0;
        int high = count;
        while (low < high)
        {
            int middle = (low + high) >>> 1;
            if ((int)lanes[PriorityField * Capacity(lanes) + middle] < priority)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>
    /// Lowers <paramref name="best"/> to the priority of the first of the <paramref name="count"/> boxes, at or after
    /// priority <paramref name="from"/> and before <paramref name="best"/>, that holds the packet.
    /// </summary>
    internal static void Scan(uint[] lanes, int count, in PacketKey key, int from, ref int best)
    {
        ref uint lane = ref MemoryMarshal.GetArrayDataReference(lanes);
        nuint capacity = (nuint)Capacity(lanes);
        var source = Vector256.Create(key.Source);
        var destination = Vector256.Create(key.Destination);
        var protocol = Vector256.Create((uint)key.Protocol);
        var ports = Vector256.Create(key.SourcePort | ((uint)key.DestinationPort << 16)).AsUInt16();
        var start = Vector256.Create(from);
        for (int i = 0; i < count; i += Width, lane = ref Unsafe.Add(ref lane, Width))
        {
            if ((int)lane >= best)
            {
                return;
            }

            var priority = Vector256.LoadUnsafe(ref lane).AsInt32();
            var addresses = ((source & Load(ref lane, capacity, SourceMaskField)) ^ Load(ref lane, capacity, SourceField))
                | ((destination & Load(ref lane, capacity, DestinationMaskField)) ^ Load(ref lane, capacity, DestinationField))
                | ((protocol & Load(ref lane, capacity, ProtocolMaskField)) ^ Load(ref lane, capacity, ProtocolField));
            var outside = Vector256.GreaterThan(Load(ref lane, capacity, PortsMinField).AsUInt16(), ports)
                | Vector256.GreaterThan(ports, Load(ref lane, capacity, PortsMaxField).AsUInt16());
            var hits = Vector256.Equals(addresses | outside.AsUInt32(), Vector256<uint>.Zero).AsInt32()
                & Vector256.GreaterThanOrEqual(priority, start) & Vector256.LessThan(priority, Vector256.Create(best));
            uint bits = hits.ExtractMostSignificantBits();
            if (bits != 0)
            {
                best = (int)Unsafe.Add(ref lane, BitOperations.TrailingZeroCount(bits));
                return;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Load(ref uint lane, nuint capacity, int field) =>
        Vector256.LoadUnsafe(ref lane, (nuint)field * capacity);

    // Moves "length" boxes from index "from" to index "to" (the ranges may overlap): one block move per field.
    private static void Move(uint[] lanes, int from, int to, int length)
    {
        int capacity = Capacity(lanes);
        for (int field = 0; field < Fields; field++)
        {
            Array.Copy(lanes, field * capacity + from, lanes, field * capacity + to, length);
        }
    }

    private static uint[] New(int capacity)
    {
        var lanes = new uint[capacity * Fields];
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
        int capacity = Capacity(lanes);
        lanes[PriorityField * capacity + index] = (uint)box.Priority;
        lanes[SourceField * capacity + index] = box.Source;
        lanes[SourceMaskField * capacity + index] = box.SourceMask;
        lanes[DestinationField * capacity + index] = box.Destination;
        lanes[DestinationMaskField * capacity + index] = box.DestinationMask;
        lanes[ProtocolField * capacity + index] = box.Protocol;
        lanes[ProtocolMaskField * capacity + index] = box.ProtocolMask;
        lanes[PortsMinField * capacity + index] = box.SourcePortMin | ((uint)box.DestinationPortMin << 16);
        lanes[PortsMaxField * capacity + index] = box.SourcePortMax | ((uint)box.DestinationPortMax << 16);
    }
}
