namespace Sekisho.Packets;

/// <summary>CRC32c (Castagnoli), the checksum of SCTP packets.</summary>
/// <remarks>RFC 9260, appendix A: the reflected polynomial 0x82F63B78, initial value and final XOR all ones.</remarks>
public static class Crc32c
{
    private static readonly uint[] s_table = CreateTable();

    /// <summary>The CRC32c of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
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
