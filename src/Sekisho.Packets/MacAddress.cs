using System.Buffers.Binary;

namespace Sekisho.Packets;

/// <summary>A 48-bit Ethernet address as a value.</summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>Reads six bytes.</summary>
    public static MacAddress Read(ReadOnlySpan<byte> bytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    /// <summary>Writes six bytes.</summary>
    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)Value);
    }

    /// <summary>The broadcast address ff:ff:ff:ff:ff:ff.</summary>
    public static MacAddress Broadcast => new(0xFFFF_FFFF_FFFF);

    /// <summary>Whether the group bit is set (multicast or broadcast).</summary>
    public bool IsMulticast => ((Value >> 40) & 1) != 0;

    /// <summary>
    /// The Ethernet address of an IPv4 multicast group (RFC 1112, 6.4; the kernel's <c>ip_eth_mc_map</c>):
    /// 01:00:5e followed by the group's low 23 bits.
    /// </summary>
    public static MacAddress ForIpv4Group(Ipv4Address group) => new(0x01005E000000UL | (group.Value & 0x7FFFFF));

    /// <summary>Parses "aa:bb:cc:dd:ee:ff", throwing on anything else.</summary>
    public static MacAddress Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"Not a MAC address: {text}");

    /// <summary>Parses "aa:bb:cc:dd:ee:ff".</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress address)
    {
        address = default;
        if (text.Length != 17)
        {
            return false;
        }

        ulong value = 0;
        for (int i = 0; i < 6; i++)
        {
            if (i > 0 && text[(i * 3) - 1] != ':')
            {
                return false;
            }

            if (!byte.TryParse(text.Slice(i * 3, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
            {
                return false;
            }

            value = (value << 8) | b;
        }

        address = new MacAddress(value);
        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        Span<char> chars = stackalloc char[17];
        ulong value = Value;
        for (int i = 5; i >= 0; i--)
        {
            byte b = (byte)value;
            value >>= 8;
            chars[i * 3] = HexDigit(b >> 4);
            chars[(i * 3) + 1] = HexDigit(b & 0xF);
            if (i > 0)
            {
                chars[(i * 3) - 1] = ':';
            }
        }

        return new string(chars);

        static char HexDigit(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
    }
}
