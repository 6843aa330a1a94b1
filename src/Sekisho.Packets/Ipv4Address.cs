using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Sekisho.Packets;

/// <summary>
/// An IPv4 address as a 32-bit value in host byte order.
/// </summary>
/// <remarks>
/// A value type so that addresses and masks can be compared and masked on the packet path without
/// allocating; <see cref="System.Net.IPAddress"/> stays out of the hot path. The numeric text form is
/// the kernel's <c>%pI4</c> (dotted decimal without leading zeros).
/// </remarks>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>, ISpanFormattable
{
    /// <summary>0.0.0.0.</summary>
    public static Ipv4Address Any => default;

    /// <summary>255.255.255.255.</summary>
    public static Ipv4Address Broadcast => new(0xFFFFFFFF);

    /// <summary>Builds an address from its four dotted-decimal parts.</summary>
    public Ipv4Address(byte a, byte b, byte c, byte d)
        : this(((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d)
    {
    }

    /// <summary>Reads an address stored in network byte order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Ipv4Address Read(ReadOnlySpan<byte> networkOrder) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(networkOrder));

    /// <summary>Writes the address in network byte order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(Span<byte> destination) => BinaryPrimitives.WriteUInt32BigEndian(destination, Value);

    /// <summary>A contiguous netmask of <paramref name="prefixLength"/> leading one bits (0..32).</summary>
    public static Ipv4Address MaskFromPrefix(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        return new Ipv4Address(prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength));
    }

    /// <summary>
    /// The prefix length of a contiguous mask, or -1 when the mask is not a run of leading ones
    /// (iptables' <c>xtables_ipmask_to_cidr</c>).
    /// </summary>
    public int PrefixLength
    {
        get
        {
            uint inverted = ~Value;
            // Contiguous iff the inverted mask is of the form 0..01..1.
            if ((inverted & (inverted + 1)) != 0)
            {
                return -1;
            }

            return 32 - System.Numerics.BitOperations.PopCount(inverted);
        }
    }

    /// <summary>Whether this is a class D (multicast) address, 224.0.0.0/4.</summary>
    public bool IsMulticast => (Value & 0xF0000000) == 0xE0000000;

    /// <summary>The first octet (most significant byte).</summary>
    public byte A => (byte)(Value >> 24);

    /// <summary>The second octet.</summary>
    public byte B => (byte)(Value >> 16);

    /// <summary>The third octet.</summary>
    public byte C => (byte)(Value >> 8);

    /// <summary>The fourth octet (least significant byte).</summary>
    public byte D => (byte)Value;

    /// <summary>Bitwise AND of two addresses (address &amp; mask).</summary>
    public static Ipv4Address operator &(Ipv4Address left, Ipv4Address right) => new(left.Value & right.Value);

    /// <summary>Bitwise OR of two addresses.</summary>
    public static Ipv4Address operator |(Ipv4Address left, Ipv4Address right) => new(left.Value | right.Value);

    /// <summary>Bitwise complement.</summary>
    public static Ipv4Address operator ~(Ipv4Address value) => new(~value.Value);

    /// <summary>Same as the <c>&amp;</c> operator.</summary>
    public static Ipv4Address BitwiseAnd(Ipv4Address left, Ipv4Address right) => left & right;

    /// <summary>Same as the <c>|</c> operator.</summary>
    public static Ipv4Address BitwiseOr(Ipv4Address left, Ipv4Address right) => left | right;

    /// <summary>Same as the <c>~</c> operator.</summary>
    public static Ipv4Address OnesComplement(Ipv4Address value) => ~value;

    /// <inheritdoc />
    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    /// <summary>Ordering by numeric value.</summary>
    public static bool operator <(Ipv4Address left, Ipv4Address right) => left.Value < right.Value;

    /// <summary>Ordering by numeric value.</summary>
    public static bool operator >(Ipv4Address left, Ipv4Address right) => left.Value > right.Value;

    /// <summary>Ordering by numeric value.</summary>
    public static bool operator <=(Ipv4Address left, Ipv4Address right) => left.Value <= right.Value;

    /// <summary>Ordering by numeric value.</summary>
    public static bool operator >=(Ipv4Address left, Ipv4Address right) => left.Value >= right.Value;

    /// <summary>
    /// Parses strict dotted-quad text (four decimal parts 0..255, as <c>inet_pton</c> accepts).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Ipv4Address address)
    {
        address = default;
        uint value = 0;
        int part = 0;
        int digits = 0;
        uint current = 0;
        foreach (char ch in text)
        {
            if (ch == '.')
            {
                if (digits == 0 || part == 3)
                {
                    return false;
                }

                value = (value << 8) | current;
                part++;
                digits = 0;
                current = 0;
                continue;
            }

            if (ch is < '0' or > '9')
            {
                return false;
            }

            // inet_pton rejects leading zeros such as "01".
            if (digits > 0 && current == 0)
            {
                return false;
            }

            current = (current * 10) + (uint)(ch - '0');
            digits++;
            if (current > 255)
            {
                return false;
            }
        }

        if (part != 3 || digits == 0)
        {
            return false;
        }

        address = new Ipv4Address((value << 8) | current);
        return true;
    }

    /// <summary>Parses strict dotted-quad text or throws <see cref="FormatException"/>.</summary>
    public static Ipv4Address Parse(string text) =>
        TryParse(text, out var address) ? address : throw new FormatException($"'{text}' is not an IPv4 address.");

    /// <inheritdoc />
    public override string ToString() => $"{A}.{B}.{C}.{D}";

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        destination.TryWrite(provider, $"{A}.{B}.{C}.{D}", out charsWritten);
}
