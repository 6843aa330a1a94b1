using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>length</c> match: the length of the IP packet lies in a range.</summary>
/// <remarks>
/// The kernel's <c>struct xt_length_info</c> (xt_length, revision 0) and iptables' libxt_length. A single number
/// is the range from it to itself; an empty side of the colon means 0 or 65535.
/// </remarks>
public sealed record LengthMatch(ushort Min, ushort Max, bool Invert) : MatchInfo
{
    private static readonly XtModule s_module = new("length", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new LengthExtension();

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>xt_length's <c>length_mt()</c>: the IP header's total length field, bounds included.</remarks>
    public override bool Match(PacketContext context, object? state)
    {
        ushort length = BinaryPrimitives.ReadUInt16BigEndian(context.Data[2..]);
        return (length >= Min && length <= Max) ^ Invert;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" length ").Append(Invert ? "!" : string.Empty);
        AppendRange(output);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(Invert ? " !" : string.Empty).Append(" --length ");
        AppendRange(output);
    }

    private void AppendRange(StringBuilder output)
    {
        output.Append(Min.ToString(CultureInfo.InvariantCulture));
        if (Min != Max)
        {
            output.Append(':').Append(Max.ToString(CultureInfo.InvariantCulture));
        }
    }

    private sealed class LengthExtension : MatchExtension
    {
        public LengthExtension()
            : base("length",
            [
                new XtOption("length", 0, XtOptionType.UInt16Range, XtOptionFlags.Mandatory | XtOptionFlags.Invert),
            ])
        {
        }

        public override string Help =>
            "length match options:\n" +
            "[!] --length length[:length]    Match packet length against value or range\n" +
            "                                of values (inclusive)\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private ushort _min;
        private ushort _max;
        private bool _invert;

        public override void Parse(OptionCall call)
        {
            _min = (ushort)call.Value.Range[0];
            _max = call.Value.Count >= 2 ? (ushort)call.Value.Range[1] : _min;
            if (call.Invert)
            {
                _invert = true;
            }
        }

        public override MatchInfo Build() => new LengthMatch(_min, _max, _invert);
    }
}
