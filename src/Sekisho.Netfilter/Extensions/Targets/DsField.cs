using System.Buffers.Binary;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>Rewrites the DS field (the TOS byte) of an IPv4 header with the kernel's incremental checksum update.</summary>
/// <remarks>
/// <c>ipv4_change_dsfield</c> of <c>include/net/dsfield.h</c>, used by the TOS and DSCP targets: the new byte is
/// <c>(tos &amp; mask) | value</c>, and the header checksum is adjusted by the old and new byte with the kernel's
/// own carry handling, so that the result is the very bits the kernel writes.
/// </remarks>
internal static class DsField
{
    /// <summary>Sets the TOS byte of <paramref name="ip"/> to <c>(tos &amp; mask) | value</c>, updating the checksum.</summary>
    public static void Change(Span<byte> ip, byte mask, byte value)
    {
        uint check = BinaryPrimitives.ReadUInt16BigEndian(ip[10..]);
        byte tos = (byte)((ip[1] & mask) | value);
        check += ip[1];
        if (((check + 1) >> 16) != 0)
        {
            check = (check + 1) & 0xFFFF;
        }

        check -= tos;
        check += check >> 16;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)check);
        ip[1] = tos;
    }
}
