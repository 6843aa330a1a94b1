using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Engine;

/// <summary>Splits a datagram that does not fit its output device into fragments (<c>ip_fragment</c>, <c>ip_do_fragment</c>).</summary>
/// <remarks>
/// <para>
/// The size limit is the device MTU, lowered to <see cref="Packet.FragmentMaxSize"/> for a reassembled datagram
/// (a router never sends fragments larger than the largest it received). The fast path reuses a reassembled
/// datagram's own fragments (<see cref="Packet.FragmentLengths"/>, the kernel's frag list) when each fits and
/// every one but the last is a multiple of 8: the first keeps the header with MF set and DF cleared, the others get
/// a copy of it with the options that are not copied on fragmentation replaced by NOPs (<c>ip_options_fragment</c>).
/// Otherwise (the slow path) the data is cut into pieces of the largest multiple of 8 that fits, DF kept only when
/// reassembly found the largest fragment had it (<c>IPSKB_FRAG_PMTU</c>), MF set on all but the last (or on all,
/// when the datagram was itself a non-last fragment).
/// </para>
/// </remarks>
internal static class IpFragmenter
{
    private const ushort MoreFragments = 0x2000;
    private const ushort DontFragment = 0x4000;

    /// <summary>Whether a datagram must go through <see cref="Fragment"/> before leaving through a device of <paramref name="mtu"/>.</summary>
    public static bool Needed(Packet packet, int mtu) => packet.Length > mtu || packet.FragmentMaxSize != 0;

    /// <summary>Hands each fragment of <paramref name="packet"/> to <paramref name="output"/>, or the packet itself when it fits as it is.</summary>
    public static void Fragment(NetNamespace net, Packet packet, int mtu, Action<Packet> output)
    {
        if (packet.FragmentMaxSize != 0 && packet.FragmentMaxSize < mtu)
        {
            mtu = packet.FragmentMaxSize;
        }

        var data = packet.Data;
        int ihl = (data[0] & 0x0F) * 4;
        if (packet.Length <= mtu && packet.FragmentLengths.Count <= 1)
        {
            output(packet);
            return;
        }

        int room = mtu - ihl;
        Span<byte> header = stackalloc byte[60];
        Span<byte> later = stackalloc byte[60];
        data[..ihl].CopyTo(header);
        data[..ihl].CopyTo(later);
        FragmentOptions(later[..ihl]);
        if (FitsFastPath(packet, room))
        {
            int offset = 0;
            var lengths = packet.FragmentLengths;
            for (int i = 0; i < lengths.Count; i++)
            {
                ushort flags = (ushort)((offset >> 3) | (i < lengths.Count - 1 ? MoreFragments : 0));
                Emit(net, packet, i == 0 ? header[..ihl] : later[..ihl], offset, lengths[i], flags, output);
                offset += lengths[i];
            }

            return;
        }

        ushort original = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        bool df = packet.FragmentMaxSize != 0 && (original & DontFragment) != 0;
        bool notLast = (original & MoreFragments) != 0;
        int baseOffset = (original & 0x1FFF) << 3;
        int left = packet.Length - ihl;
        int position = 0;
        int chunk = room & ~7;
        if (chunk <= 0)
        {
            return;
        }

        bool first = true;
        while (left > 0)
        {
            int length = left > room ? chunk : left;
            left -= length;
            ushort flags = (ushort)(((baseOffset + position) >> 3) | (df ? DontFragment : 0) | (left > 0 || notLast ? MoreFragments : 0));
            Emit(net, packet, first ? header[..ihl] : later[..ihl], position, length, flags, output);
            first = false;
            position += length;
        }
    }

    private static bool FitsFastPath(Packet packet, int room)
    {
        var lengths = packet.FragmentLengths;
        if (lengths.Count < 2)
        {
            return false;
        }

        for (int i = 0; i < lengths.Count; i++)
        {
            if (lengths[i] > room || ((lengths[i] & 7) != 0 && i < lengths.Count - 1))
            {
                return false;
            }
        }

        return true;
    }

    private static void Emit(NetNamespace net, Packet packet, ReadOnlySpan<byte> header, int offset, int length, ushort flags,
        Action<Packet> output)
    {
        var fragment = net.Pool.Rent();
        fragment.CopyFrom(packet);
        var data = fragment.Resize(header.Length + length);
        header.CopyTo(data);
        packet.Data.Slice(header.Length + offset, length).CopyTo(data[header.Length..]);
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], (ushort)(header.Length + length));
        BinaryPrimitives.WriteUInt16BigEndian(data[6..], flags);
        data[10] = 0;
        data[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], Checksum.Compute(data[..header.Length]));
        fragment.FragmentMaxSize = 0;
        fragment.FragmentLengths.Clear();
        output(fragment);
        net.Pool.Return(fragment);
    }

    // ip_options_fragment: options without the "copied" bit are replaced by NOPs in every fragment but the first.
    private static void FragmentOptions(Span<byte> header)
    {
        var options = header[20..];
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0)
            {
                break;
            }

            if (type == 1)
            {
                i++;
                continue;
            }

            if (i + 1 >= options.Length)
            {
                break;
            }

            int length = options[i + 1];
            if (length < 2 || i + length > options.Length)
            {
                break;
            }

            if ((type & 0x80) == 0)
            {
                options.Slice(i, length).Fill(1);
            }

            i += length;
        }
    }
}
