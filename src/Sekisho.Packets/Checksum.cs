using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Sekisho.Packets;

/// <summary>The Internet checksum: full computation and incremental update.</summary>
/// <remarks>
/// RFC 1071 (one's complement sum of 16-bit words) and RFC 1624 (incremental update: HC' = ~(~HC + ~m + m')).
/// Sums are kept as 32-bit accumulators and folded at the end.
/// </remarks>
public static class Checksum
{
    /// <summary>Adds the bytes to a running one's complement sum (not folded, not complemented).</summary>
    public static uint Add(ReadOnlySpan<byte> data, uint sum = 0)
    {
        ulong accumulator = sum;
        int i = 0;
        // 8 bytes at a time: big-endian 16-bit words summed through 64-bit adds.
        while (i + 8 <= data.Length)
        {
            ulong word = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            accumulator += (word >> 48) + ((word >> 32) & 0xFFFF) + ((word >> 16) & 0xFFFF) + (word & 0xFFFF);
            i += 8;
        }

        while (i + 2 <= data.Length)
        {
            accumulator += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
            i += 2;
        }

        if (i < data.Length)
        {
            accumulator += (uint)data[i] << 8;
        }

        while ((accumulator >> 32) != 0)
        {
            accumulator = (accumulator & 0xFFFFFFFF) + (accumulator >> 32);
        }

        return (uint)accumulator;
    }

    /// <summary>Folds a 32-bit sum to 16 bits and complements it: the checksum field value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Finish(uint sum)
    {
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>The checksum of the bytes.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(data));

    /// <summary>The IPv4 pseudo-header sum for a transport checksum.</summary>
    public static uint PseudoHeader(Ipv4Address source, Ipv4Address destination, byte protocol, int length)
    {
        uint sum = (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF);
        return sum + protocol + (uint)length;
    }

    /// <summary>
    /// Updates a checksum for a 16-bit field changing from <paramref name="oldValue"/> to <paramref name="newValue"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update16(ushort checksum, ushort oldValue, ushort newValue)
    {
        uint sum = (ushort)~checksum + (uint)(ushort)~oldValue + newValue;
        return Finish(sum);
    }

    /// <summary>Updates a checksum for a 32-bit field (an address) changing value.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update32(ushort checksum, uint oldValue, uint newValue)
    {
        uint sum = (ushort)~checksum + (uint)(ushort)~(oldValue >> 16) + (uint)(ushort)~(oldValue & 0xFFFF) +
                   (newValue >> 16) + (newValue & 0xFFFF);
        return Finish(sum);
    }

    /// <summary>Whether the bytes (which include their checksum field) sum to the all-ones value.</summary>
    public static bool Verify(ReadOnlySpan<byte> data, uint extraSum = 0) => Finish(Add(data, extraSum)) == 0;
}
