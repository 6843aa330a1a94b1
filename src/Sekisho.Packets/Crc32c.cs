using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace Sekisho.Packets;

/// <summary>CRC32c (Castagnoli), the checksum of SCTP packets.</summary>
/// <remarks>
/// RFC 9260, appendix A: the reflected polynomial 0x82F63B78, initial value and final XOR all ones. Where the
/// processor has SSE 4.2 its <c>crc32</c> instruction (the same polynomial) takes eight bytes at a time.
/// </remarks>
public static class Crc32c
{
    private static readonly uint[] s_table = CreateTable();

    /// <summary>The CRC32c of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            crc = (uint)wide;
            foreach (byte b in data)
            {
                crc = Sse42.Crc32(crc, b);
            }

            return ~crc;
        }

        foreach (byte b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint value = i;
            for (int bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F63B78 : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
