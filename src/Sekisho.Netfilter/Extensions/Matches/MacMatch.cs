using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>mac</c> match: the Ethernet source address of the packet.</summary>
/// <remarks>
/// The kernel's <c>struct xt_mac_info</c> (xt_mac, revision 0) and iptables' libxt_mac. The kernel allows the
/// match only in rules reachable from PREROUTING, INPUT and FORWARD.
/// </remarks>
public sealed record MacMatch(ValueArray<byte> SourceAddress, int Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("mac", 0)
    {
        Hooks = HookMask.PreRouting | HookMask.LocalIn | HookMask.Forward,
    };

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new MacExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_mac's <c>mac_mt()</c>: only a packet received on an Ethernet device with a whole 14-byte Ethernet header
    /// in front of its IP header has a source MAC to compare; any other packet does not match, inverted or not.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var device = packet.InDevice ?? context.In;
        if (device is null || device.Type != DeviceType.Ethernet || packet.MacHeader.Length < 14)
        {
            return false;
        }

        var source = packet.MacHeader[^14..][6..12];
        bool equal = SourceAddress.Count == 6;
        for (int i = 0; equal && i < 6; i++)
        {
            equal = source[i] == SourceAddress[i];
        }

        return equal ^ (Invert != 0);
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" MAC ");
        if (Invert != 0)
        {
            output.Append("! ");
        }

        Xt.PrintMac(output, SourceAddress.Items.AsSpan());
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Invert != 0)
        {
            output.Append(" !");
        }

        output.Append(" --mac-source ");
        Xt.PrintMac(output, SourceAddress.Items.AsSpan());
    }

    private sealed class MacExtension : MatchExtension
    {
        public MacExtension()
            : base("mac",
            [
                new XtOption("mac-source", 0, XtOptionType.EtherMac,
                    XtOptionFlags.Mandatory | XtOptionFlags.Invert | XtOptionFlags.Put),
            ])
        {
        }

        public override string Help =>
            "mac match options:\n" +
            "[!] --mac-source XX:XX:XX:XX:XX:XX\n" +
            "\t\t\t\tMatch source MAC address\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private byte[] _address = new byte[6];
        private int _invert;

        public override void Parse(OptionCall call)
        {
            _address = (byte[])call.Value.EtherMac.Clone();
            if (call.Invert)
            {
                _invert = 1;
            }
        }

        public override MatchInfo Build() => new MacMatch(new ValueArray<byte>(_address), _invert);
    }
}
