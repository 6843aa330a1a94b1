using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>TCPMSS</c> target: rewrites the MSS option of TCP SYN packets.</summary>
/// <remarks>
/// The kernel's <c>struct xt_tcpmss_info</c> (xt_TCPMSS, revision 0, protocol TCP) and iptables' libxt_TCPMSS.
/// The kernel wants the rule to test the SYN flag with a non-inverted <c>tcp</c> match, and allows clamping to
/// the path MTU only from FORWARD, OUTPUT and POSTROUTING.
/// </remarks>
public sealed record TcpmssTarget(ushort Mss) : TargetInfo
{
    /// <summary><c>XT_TCPMSS_CLAMP_PMTU</c>: clamp to the path MTU rather than set a value.</summary>
    public const ushort ClampToPmtu = 0xFFFF;

    private const byte TcpSyn = 0x02;

    private const HookMask ClampHooks = HookMask.Forward | HookMask.LocalOut | HookMask.PostRouting;

    private static readonly XtModule s_module = new("TCPMSS", 0) { Protocol = 6 };

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new TcpmssExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "TCPMSS";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Mss == ClampToPmtu)
        {
            output.Append(" TCPMSS clamp to PMTU");
        }
        else
        {
            output.Append(" TCPMSS set ").Append(Mss.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Mss == ClampToPmtu)
        {
            output.Append(" --clamp-mss-to-pmtu");
        }
        else
        {
            output.Append(" --set-mss ").Append(Mss.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (Mss == ClampToPmtu && (context.Hooks & ~ClampHooks) != 0)
        {
            context.Log.Write("xt_TCPMSS: path-MTU clamping only supported in FORWARD, OUTPUT and POSTROUTING hooks");
            return Errno.EINVAL;
        }

        foreach (var match in context.Matches)
        {
            if (match is TcpMatch tcp && (tcp.FlagCompare & TcpSyn) != 0 &&
                (tcp.Invert & TcpMatch.Inversions.Flags) == 0)
            {
                return Errno.Ok;
            }
        }

        context.Log.Write("xt_TCPMSS: Only works on TCP SYN packets");
        return Errno.EINVAL;
    }

    /// <summary>
    /// Lowers the MSS option of a SYN to the set value or the path MTU less 40 (never raises it), or inserts an
    /// MSS option (at most 536) into a SYN without one and without data, growing the packet by four bytes, with
    /// incremental checksum updates (<c>tcpmss_tg4</c>); a TCP header the packet cannot hold drops it.
    /// </summary>
    public override uint Execute(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            return NfVerdict.Continue;
        }

        var packet = context.Packet;
        var data = packet.Data;
        int tcpOffset = (data[0] & 0x0F) * 4;
        int length = data.Length - tcpOffset;
        if (length < 20)
        {
            return NfVerdict.Drop;
        }

        int headerLength = (data[tcpOffset + 12] >> 4) * 4;
        if (length < headerLength || headerLength < 20)
        {
            return NfVerdict.Drop;
        }

        int newMss = Mss;
        if (Mss == ClampToPmtu)
        {
            // The smaller of the output route's MTU and that of the route back to the sender (tcpmss_reverse_mtu).
            uint outMtu = (uint)(packet.OutDevice?.Mtu ?? int.MaxValue);
            var back = context.Net.Host.RouteOutput(Ipv4Address.Read(data[12..]));
            uint inMtu = back.Device is null ? uint.MaxValue : (uint)back.Device.Mtu;
            uint minMtu = Math.Min(outMtu, inMtu);
            if (minMtu <= 40)
            {
                return NfVerdict.Drop;
            }

            newMss = (ushort)(minMtu - 40);
        }

        var tcp = data.Slice(tcpOffset, length);
        for (int i = 20; i <= headerLength - 4; i += tcp[i] <= 1 || tcp[i + 1] == 0 ? 1 : tcp[i + 1])
        {
            if (tcp[i] == 2 && tcp[i + 1] == 4)
            {
                ushort oldMss = BinaryPrimitives.ReadUInt16BigEndian(tcp[(i + 2)..]);
                if (oldMss <= newMss)
                {
                    return NfVerdict.Continue;
                }

                BinaryPrimitives.WriteUInt16BigEndian(tcp[(i + 2)..], (ushort)newMss);
                UpdateCheck(tcp, oldMss, (ushort)newMss);
                packet.Modified = true;
                return NfVerdict.Continue;
            }
        }

        if (length > headerLength || headerLength >= 60)
        {
            return NfVerdict.Continue;
        }

        // No MSS option: insert one in front of the others (the default MSS of RFC 1122 at most).
        newMss = Math.Min(newMss, 536);
        data = packet.Resize(packet.Length + 4);
        tcp = data.Slice(tcpOffset, length + 4);
        tcp.Slice(20, length - 20).CopyTo(tcp[24..]);
        UpdateCheck(tcp, (ushort)length, (ushort)(length + 4));
        tcp[20] = 2;
        tcp[21] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[22..], (ushort)newMss);
        ushort check = BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.Update32(check, 0, BinaryPrimitives.ReadUInt32BigEndian(tcp[20..])));
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(tcp[12..]);
        tcp[12] += 1 << 4;
        UpdateCheck(tcp, oldWord, BinaryPrimitives.ReadUInt16BigEndian(tcp[12..]));

        ushort oldTotal = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
        ushort newTotal = (ushort)(oldTotal + 4);
        BinaryPrimitives.WriteUInt16BigEndian(data[10..], Checksum.Update16(BinaryPrimitives.ReadUInt16BigEndian(data[10..]), oldTotal, newTotal));
        BinaryPrimitives.WriteUInt16BigEndian(data[2..], newTotal);
        packet.Modified = true;
        return NfVerdict.Continue;
    }

    private static void UpdateCheck(Span<byte> tcp, ushort from, ushort to) =>
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.Update16(BinaryPrimitives.ReadUInt16BigEndian(tcp[16..]), from, to));

    private static class Ids
    {
        public const int SetMss = 0;
        public const int ClampMss = 1;
    }

    private sealed class TcpmssExtension : TargetExtension
    {
        // The room left in a 16-bit length after the IPv4 header.
        private const ulong MaxMss = ushort.MaxValue - 20;

        public TcpmssExtension()
            : base("TCPMSS",
            [
                new XtOption("set-mss", Ids.SetMss, XtOptionType.UInt16, XtOptionFlags.Put) { Min = 0, Max = MaxMss },
                new XtOption("clamp-mss-to-pmtu", Ids.ClampMss, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "TCPMSS target mutually-exclusive options:\n" +
            "  --set-mss value               explicitly set MSS option to specified value\n" +
            "  --clamp-mss-to-pmtu           automatically clamp MSS value to (path_MTU - 20)\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private ushort _mss;

        public override void Parse(OptionCall call)
        {
            _mss = call.Entry.Id == Ids.ClampMss ? ClampToPmtu : (ushort)call.Value.Number;
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter("TCPMSS target: At least one parameter is required");
            }
        }

        public override TargetInfo Build() => new TcpmssTarget(_mss);
    }
}
