using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions.Targets;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Logging;

/// <summary>Builds the text of a LOG line for an IPv4 packet, exactly as the kernel's syslog logger writes it.</summary>
/// <remarks>
/// <para>
/// Mirrors <c>nf_log_ip_packet</c> of <c>net/netfilter/nf_log_syslog.c</c>: the prefix, <c>IN=</c> and
/// <c>OUT=</c>, the link-layer header when the hook has an input device (<c>MAC=</c>, or
/// <c>MACSRC=</c>/<c>MACDST=</c>/<c>MACPROTO=</c> with <c>--log-macdecode</c> on Ethernet), then
/// <c>dump_ipv4_packet</c>: addresses, length, TOS and precedence, TTL, ID, the CE/DF/MF flags and fragment
/// offset, IP options, the transport header (TCP, UDP, UDP-Lite, ICMP with the quoted datagram of errors dumped
/// once more between brackets, AH and ESP SPIs, the bare protocol number otherwise), <c>UID=</c>/<c>GID=</c>
/// and <c>MARK=</c>. Each field carries its trailing space, as the kernel's do; headers that are cut short give
/// <c>INCOMPLETE [N bytes]</c> or <c>TRUNCATED</c> where the kernel writes them, with the kernel's unsigned
/// arithmetic for N.
/// </para>
/// <para>
/// The text is built in a reusable buffer of the kernel's size (<c>struct nf_log_buf</c>: 1020 bytes, a
/// message that would overflow it is cut), so formatting allocates nothing. One formatter serves one line at a
/// time.
/// </para>
/// </remarks>
public sealed class LogFormatter
{
    /// <summary>The room of the kernel's log buffer (<c>S_SIZE</c>), the terminating NUL included.</summary>
    public const int BufferSize = 1020;

    private const int IpOffsetMask = 0x1FFF;

    // required_len[] of dump_ipv4_packet: the ICMP bytes a type needs before its fields are printed.
    private static readonly byte[] s_icmpRequired =
    [
        4, 0, 0, 28, 28, 28, 0, 0, 4, 0, 0, 28, 28, 20, 20, 0, 0, 12, 12,
    ];

    private static readonly char[] s_hexUpper = "0123456789ABCDEF".ToCharArray();
    private static readonly char[] s_hexLower = "0123456789abcdef".ToCharArray();

    private readonly char[] _buffer = new char[BufferSize];
    private int _count;
    private bool _full;

    /// <summary>
    /// Formats the line for a packet seen at a hook: <paramref name="inDevice"/> and <paramref name="outDevice"/>
    /// are the hook's devices. The result stays valid until the next call.
    /// </summary>
    public ReadOnlySpan<char> Format(Packet packet, Hook hook, NetDevice? inDevice, NetDevice? outDevice,
        LogTarget.LogFlags flags, string prefix)
    {
        _count = 0;
        _full = false;
        Add(prefix);
        Add("IN=");
        Add(inDevice?.Name ?? string.Empty);
        Add(" OUT=");
        Add(outDevice?.Name ?? string.Empty);
        Add(' ');
        if (inDevice is not null)
        {
            // skb->dev: the input device, except at POSTROUTING where ip_output has set the output device.
            var device = hook == Hook.PostRouting && outDevice is not null ? outDevice : inDevice;
            MacHeader(packet, device, flags);
        }

        DumpIpv4(packet, flags, 0);
        return new ReadOnlySpan<char>(_buffer, 0, _count);
    }

    // dump_mac_header
    private void MacHeader(Packet packet, NetDevice device, LogTarget.LogFlags flags)
    {
        var mac = packet.MacHeader;
        if ((flags & LogTarget.LogFlags.MacDecode) != 0 && device.Type == DeviceType.Ethernet)
        {
            if (mac.Length < 14)
            {
                return;
            }

            Add("MACSRC=");
            Mac(mac.Slice(6, 6));
            Add(" MACDST=");
            Mac(mac[..6]);
            Add(" MACPROTO=");
            Hex(BinaryPrimitives.ReadUInt16BigEndian(mac[12..]), 4, lower: true);
            Add(' ');
            return;
        }

        Add("MAC=");
        int length = device.HeaderLength;
        if (length != 0 && mac.Length != 0)
        {
            for (int i = 0; i < length; i++)
            {
                if (i != 0)
                {
                    Add(':');
                }

                // The kernel prints hard_header_len bytes from the MAC header; Sekisho keeps exactly those.
                Hex(i < mac.Length ? mac[i] : 0, 2, lower: true);
            }
        }

        Add(' ');
    }

    // dump_ipv4_packet; offset is iphoff (0 for the packet, the quoted datagram's offset inside an ICMP error).
    private void DumpIpv4(Packet packet, LogTarget.LogFlags flags, int offset)
    {
        var data = packet.Data;
        uint length = (uint)data.Length;
        if (!TryRead(data, offset, 20, out var ip))
        {
            Add("TRUNCATED");
            return;
        }

        Add("SRC=");
        Address(ip[12..]);
        Add(" DST=");
        Address(ip[16..]);
        Add(" LEN=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
        Add(" TOS=0x");
        Hex(ip[1] & 0x1E, 2, lower: false);
        Add(" PREC=0x");
        Hex(ip[1] & 0xE0, 2, lower: false);
        Add(" TTL=");
        Number(ip[8]);
        Add(" ID=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
        Add(' ');
        int fragField = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]);
        if ((fragField & 0x8000) != 0)
        {
            Add("CE ");
        }

        if ((fragField & 0x4000) != 0)
        {
            Add("DF ");
        }

        if ((fragField & 0x2000) != 0)
        {
            Add("MF ");
        }

        int fragment = fragField & IpOffsetMask;
        if (fragment != 0)
        {
            Add("FRAG:");
            Number((uint)fragment);
            Add(' ');
        }

        int ihl = (ip[0] & 0x0F) * 4;
        if ((flags & LogTarget.LogFlags.IpOptions) != 0 && ihl > 20)
        {
            if (!TryRead(data, offset + 20, ihl - 20, out var options))
            {
                Add("TRUNCATED");
                return;
            }

            Add("OPT (");
            foreach (byte b in options)
            {
                Hex(b, 2, lower: false);
            }

            Add(") ");
        }

        int transport = offset + ihl;
        byte protocol = ip[9];
        switch (protocol)
        {
            case 6:
                if (!Tcp(data, fragment, transport, flags))
                {
                    return;
                }

                break;
            case 17:
            case 136:
                Add(protocol == 17 ? "PROTO=UDP " : "PROTO=UDPLITE ");
                if (fragment != 0)
                {
                    break;
                }

                if (!TryRead(data, transport, 8, out var udp))
                {
                    Incomplete(length - (uint)transport);
                    return;
                }

                Add("SPT=");
                Number(BinaryPrimitives.ReadUInt16BigEndian(udp));
                Add(" DPT=");
                Number(BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
                Add(" LEN=");
                Number(BinaryPrimitives.ReadUInt16BigEndian(udp[4..]));
                Add(' ');
                break;
            case 1:
                Icmp(packet, data, fragment, transport, flags, offset, ihl);
                break;
            case 51:
                if (fragment != 0)
                {
                    break;
                }

                Add("PROTO=AH ");
                if (!TryRead(data, transport, 12, out var ah))
                {
                    Incomplete(length - (uint)transport);
                    break;
                }

                Add("SPI=0x");
                HexNumber(BinaryPrimitives.ReadUInt32BigEndian(ah[4..]));
                Add(' ');
                break;
            case 50:
                Add("PROTO=ESP ");
                if (fragment != 0)
                {
                    break;
                }

                if (!TryRead(data, transport, 8, out var esp))
                {
                    Incomplete(length - (uint)transport);
                    break;
                }

                Add("SPI=0x");
                HexNumber(BinaryPrimitives.ReadUInt32BigEndian(esp));
                Add(' ');
                break;
            default:
                Add("PROTO=");
                Number(protocol);
                Add(' ');
                break;
        }

        if (offset != 0)
        {
            return;
        }

        if ((flags & LogTarget.LogFlags.Uid) != 0 && packet.Socket is { HasFile: true } socket)
        {
            Add("UID=");
            Number(socket.Uid);
            Add(" GID=");
            Number(socket.Gid);
            Add(' ');
        }

        if (packet.Mark != 0)
        {
            Add("MARK=0x");
            HexNumber(packet.Mark);
            Add(' ');
        }
    }

    // nf_log_dump_tcp_header: false when the dump stops there (the caller prints nothing more).
    private bool Tcp(ReadOnlySpan<byte> data, int fragment, int offset, LogTarget.LogFlags flags)
    {
        Add("PROTO=TCP ");
        if (fragment != 0)
        {
            return true;
        }

        if (!TryRead(data, offset, 20, out var tcp))
        {
            Incomplete((uint)data.Length - (uint)offset);
            return false;
        }

        Add("SPT=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(tcp));
        Add(" DPT=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(tcp[2..]));
        Add(' ');
        if ((flags & LogTarget.LogFlags.TcpSequence) != 0)
        {
            Add("SEQ=");
            Number(BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]));
            Add(" ACK=");
            Number(BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]));
            Add(' ');
        }

        Add("WINDOW=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]));
        Add(" RES=0x");

        // TCP_RESERVED_BITS: the three reserved bits above AE (the fourth, AE, is a flag of its own).
        Hex((tcp[12] & 0x0E) << 2, 2, lower: true);
        Add(' ');
        byte flagBits = tcp[13];
        if ((tcp[12] & 0x01) != 0)
        {
            Add("AE ");
        }

        AddFlag(flagBits, 0x80, "CWR ");
        AddFlag(flagBits, 0x40, "ECE ");
        AddFlag(flagBits, 0x20, "URG ");
        AddFlag(flagBits, 0x10, "ACK ");
        AddFlag(flagBits, 0x08, "PSH ");
        AddFlag(flagBits, 0x04, "RST ");
        AddFlag(flagBits, 0x02, "SYN ");
        AddFlag(flagBits, 0x01, "FIN ");
        Add("URGP=");
        Number(BinaryPrimitives.ReadUInt16BigEndian(tcp[18..]));
        Add(' ');
        int headerLength = (tcp[12] >> 4) * 4;
        if ((flags & LogTarget.LogFlags.TcpOptions) != 0 && headerLength > 20)
        {
            if (!TryRead(data, offset + 20, headerLength - 20, out var options))
            {
                Add("OPT (TRUNCATED)");
                return false;
            }

            Add("OPT (");
            foreach (byte b in options)
            {
                Hex(b, 2, lower: false);
            }

            Add(") ");
        }

        return true;
    }

    private void Icmp(Packet packet, ReadOnlySpan<byte> data, int fragment, int offset, LogTarget.LogFlags flags, int ipOffset, int ihl)
    {
        Add("PROTO=ICMP ");
        if (fragment != 0)
        {
            return;
        }

        uint available = (uint)data.Length - (uint)offset;
        if (!TryRead(data, offset, 8, out var icmp))
        {
            Incomplete(available);
            return;
        }

        byte type = icmp[0];
        Add("TYPE=");
        Number(type);
        Add(" CODE=");
        Number(icmp[1]);
        Add(' ');
        if (type < s_icmpRequired.Length && s_icmpRequired[type] != 0 && available < s_icmpRequired[type])
        {
            Incomplete(available);
            return;
        }

        switch (type)
        {
            case 0:
            case 8:
                Add("ID=");
                Number(BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]));
                Add(" SEQ=");
                Number(BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]));
                Add(' ');
                break;
            case 12:
                Add("PARAMETER=");
                Number(icmp[4]);
                Add(' ');
                break;
            case 5:
            case 3:
            case 4:
            case 11:
                if (type == 5)
                {
                    Add("GATEWAY=");
                    Address(icmp[4..]);
                    Add(' ');
                }

                if (ipOffset == 0)
                {
                    // Only one level of recursion.
                    Add('[');
                    DumpIpv4(packet, flags, ipOffset + ihl + 8);
                    Add("] ");
                }

                if (type == 3 && icmp[1] == 4)
                {
                    Add("MTU=");
                    Number(BinaryPrimitives.ReadUInt16BigEndian(icmp[6..]));
                    Add(' ');
                }

                break;
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> data, int offset, int length, out ReadOnlySpan<byte> bytes)
    {
        if (offset < 0 || offset > data.Length - length)
        {
            bytes = default;
            return false;
        }

        bytes = data.Slice(offset, length);
        return true;
    }

    private void Incomplete(uint bytes)
    {
        Add("INCOMPLETE [");
        Number(bytes);
        Add(" bytes] ");
    }

    private void AddFlag(byte flags, byte bit, string text)
    {
        if ((flags & bit) != 0)
        {
            Add(text);
        }
    }

    private void Address(ReadOnlySpan<byte> bytes)
    {
        Number(bytes[0]);
        Add('.');
        Number(bytes[1]);
        Add('.');
        Number(bytes[2]);
        Add('.');
        Number(bytes[3]);
    }

    private void Mac(ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            if (i != 0)
            {
                Add(':');
            }

            Hex(bytes[i], 2, lower: true);
        }
    }

    private void Number(uint value)
    {
        Span<char> digits = stackalloc char[10];
        int n = 0;
        do
        {
            digits[n++] = (char)('0' + (value % 10));
            value /= 10;
        }
        while (value != 0);

        while (n > 0)
        {
            Add(digits[--n]);
        }
    }

    // %x: lower-case hex without padding.
    private void HexNumber(uint value)
    {
        int digits = 1;
        for (uint v = value >> 4; v != 0; v >>= 4)
        {
            digits++;
        }

        Hex(value, digits, lower: true);
    }

    private void Hex(uint value, int width, bool lower)
    {
        var table = lower ? s_hexLower : s_hexUpper;
        for (int shift = (width - 1) * 4; shift >= 0; shift -= 4)
        {
            Add(table[(value >> shift) & 0xF]);
        }
    }

    private void Hex(int value, int width, bool lower) => Hex((uint)value, width, lower);

    private void Add(string text)
    {
        foreach (char c in text)
        {
            Add(c);
        }
    }

    // nf_log_buf_add: once the buffer is full nothing more is added (the kernel keeps what fitted).
    private void Add(char c)
    {
        if (_full)
        {
            return;
        }

        if (_count >= BufferSize - 1)
        {
            _full = true;
            return;
        }

        _buffer[_count++] = c;
    }
}
