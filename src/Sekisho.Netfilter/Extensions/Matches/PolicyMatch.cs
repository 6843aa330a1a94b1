using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>policy</c> match: the IPsec policy a packet was decapsulated with or will be encapsulated by.</summary>
/// <remarks>
/// The kernel's <c>struct xt_policy_info</c> (xt_policy, revision 0): up to four policy elements, the direction
/// and policy flags and the number of elements. The kernel refuses <c>--dir out</c> from PREROUTING and INPUT and
/// <c>--dir in</c> from POSTROUTING and OUTPUT. Elements keep what was parsed into them even when <c>--pol none</c>
/// leaves the element count at 0.
/// </remarks>
public sealed record PolicyMatch(ValueArray<PolicyMatch.Element> Elements, PolicyMatch.Options Flags, ushort Length)
    : MatchInfo
{
    /// <summary><c>XT_POLICY_MAX_ELEM</c>.</summary>
    public const int MaxElements = 4;

    private static readonly XtModule s_module = new("policy", 0);

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new PolicyExtension();

    /// <summary><c>enum xt_policy_flags</c>.</summary>
    [Flags]
    public enum Options : ushort
    {
        /// <summary>Nothing (an IPsec policy, no direction).</summary>
        None = 0,

        /// <summary><c>XT_POLICY_MATCH_IN</c>: <c>--dir in</c>.</summary>
        In = 0x1,

        /// <summary><c>XT_POLICY_MATCH_OUT</c>: <c>--dir out</c>.</summary>
        Out = 0x2,

        /// <summary><c>XT_POLICY_MATCH_NONE</c>: <c>--pol none</c>.</summary>
        NoPolicy = 0x4,

        /// <summary><c>XT_POLICY_MATCH_STRICT</c>: <c>--strict</c>.</summary>
        Strict = 0x8,
    }

    /// <summary>The bits of <c>struct xt_policy_spec</c>: which element fields are matched, or inverted.</summary>
    [Flags]
    public enum Fields : byte
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary>The tunnel source address.</summary>
        SourceAddress = 1 << 0,

        /// <summary>The tunnel destination address.</summary>
        DestinationAddress = 1 << 1,

        /// <summary>The protocol.</summary>
        Protocol = 1 << 2,

        /// <summary>The mode.</summary>
        Mode = 1 << 3,

        /// <summary>The SPI.</summary>
        Spi = 1 << 4,

        /// <summary>The request ID.</summary>
        RequestId = 1 << 5,
    }

    /// <summary><c>enum xt_policy_modes</c>.</summary>
    public enum Modes : byte
    {
        /// <summary><c>XT_POLICY_MODE_TRANSPORT</c>.</summary>
        Transport = 0,

        /// <summary><c>XT_POLICY_MODE_TUNNEL</c>.</summary>
        Tunnel = 1,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_policy's <c>policy_mt()</c> on a host without IPsec: no packet has a security path (input) or a
    /// transformation on its route (output), so <c>--pol none</c> matches every packet and <c>--pol ipsec</c> none.
    /// </remarks>
    public override bool Match(PacketContext context, object? state) => (Flags & Options.NoPolicy) != 0;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" policy match");
        PrintFlags(output, string.Empty);
        for (int i = 0; i < Length && i < Elements.Count; i++)
        {
            if (Length > 1)
            {
                output.Append(CultureInfo.InvariantCulture, $" [{i}]");
            }

            Elements[i].Print(output, string.Empty, context.Numeric, context);
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        PrintFlags(output, "--");
        for (int i = 0; i < Length && i < Elements.Count; i++)
        {
            Elements[i].Print(output, "--", false, context);
            if (i + 1 < Length)
            {
                output.Append(" --next");
            }
        }

        // With --pol none the options went into the first element, which iptables-save leaves out.
        if (context.Exact && Length == 0 && Elements.Count > 0)
        {
            Elements[0].Print(output, "--", false, context);
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        string? error = null;
        if ((Flags & (Options.In | Options.Out)) == 0)
        {
            error = "neither incoming nor outgoing policy selected";
        }
        else if ((context.Hooks & (HookMask.PreRouting | HookMask.LocalIn)) != 0 && (Flags & Options.Out) != 0)
        {
            error = "output policy not valid in PREROUTING and INPUT";
        }
        else if ((context.Hooks & (HookMask.PostRouting | HookMask.LocalOut)) != 0 && (Flags & Options.In) != 0)
        {
            error = "input policy not valid in POSTROUTING and OUTPUT";
        }
        else if (Length > MaxElements)
        {
            error = "too many policy elements";
        }

        if (error == null)
        {
            return Errno.Ok;
        }

        context.Log.Write("xt_policy: " + error);
        return Errno.EINVAL;
    }

    private void PrintFlags(StringBuilder output, string prefix)
    {
        output.Append(' ').Append(prefix).Append((Flags & Options.In) != 0 ? "dir in" : "dir out");
        output.Append(' ').Append(prefix).Append((Flags & Options.NoPolicy) != 0 ? "pol none" : "pol ipsec");
        if ((Flags & Options.Strict) != 0)
        {
            output.Append(' ').Append(prefix).Append("strict");
        }
    }

    /// <summary>One policy element (<c>struct xt_policy_elem</c>).</summary>
    /// <param name="SourceAddress">The tunnel source address.</param>
    /// <param name="SourceMask">Its mask.</param>
    /// <param name="SourceMaskPadded">Whether the mask's bytes beyond IPv4 are ones (a bare address).</param>
    /// <param name="DestinationAddress">The tunnel destination address.</param>
    /// <param name="DestinationMask">Its mask.</param>
    /// <param name="DestinationMaskPadded">Whether the mask's bytes beyond IPv4 are ones (a bare address).</param>
    /// <param name="Spi">The SPI, as given (iptables does not convert it to network order).</param>
    /// <param name="RequestId">The request ID.</param>
    /// <param name="Protocol">The protocol (AH, ESP or IPComp).</param>
    /// <param name="Mode">The mode.</param>
    /// <param name="Match">The fields matched.</param>
    /// <param name="Invert">The fields inverted.</param>
    public readonly record struct Element(
        Ipv4Address SourceAddress,
        Ipv4Address SourceMask,
        bool SourceMaskPadded,
        Ipv4Address DestinationAddress,
        Ipv4Address DestinationMask,
        bool DestinationMaskPadded,
        uint Spi,
        uint RequestId,
        byte Protocol,
        Modes Mode,
        Fields Match,
        Fields Invert)
    {
        internal void Print(StringBuilder output, string prefix, bool numeric, FormatContext context)
        {
            if ((Match & Fields.RequestId) != 0)
            {
                Not(output, Fields.RequestId);
                output.Append(' ').Append(prefix).Append("reqid ").Append(RequestId.ToString(CultureInfo.InvariantCulture));
            }

            if ((Match & Fields.Spi) != 0)
            {
                Not(output, Fields.Spi);
                output.Append(' ').Append(prefix).Append(CultureInfo.InvariantCulture, $"spi 0x{Spi:x}");
            }

            if ((Match & Fields.Protocol) != 0)
            {
                Not(output, Fields.Protocol);
                output.Append(' ').Append(prefix).Append("proto ");
                string? name = numeric ? null : context.Names.ProtocolByNumber(Protocol);
                output.Append(name ?? Protocol.ToString(CultureInfo.InvariantCulture));
            }

            if ((Match & Fields.Mode) != 0)
            {
                Not(output, Fields.Mode);
                output.Append(' ').Append(prefix).Append("mode ")
                    .Append(Mode switch { Modes.Transport => "transport", Modes.Tunnel => "tunnel", _ => "???" });
            }

            if ((Match & Fields.DestinationAddress) != 0)
            {
                Not(output, Fields.DestinationAddress);
                output.Append(' ').Append(prefix).Append("tunnel-dst ");
                Address(output, DestinationAddress, DestinationMask, DestinationMaskPadded, context);
            }

            if ((Match & Fields.SourceAddress) != 0)
            {
                Not(output, Fields.SourceAddress);
                output.Append(' ').Append(prefix).Append("tunnel-src ");
                Address(output, SourceAddress, SourceMask, SourceMaskPadded, context);
            }
        }

        private static void Address(StringBuilder output, Ipv4Address address, Ipv4Address mask, bool padded,
            FormatContext context)
        {
            output.Append(Xt.IpAddressToNumeric(address)).Append(Xt.IpMaskToNumeric(mask));
            if (context.Exact && mask == Ipv4Address.Broadcast && !padded)
            {
                // An explicit /32 differs from a bare address in the mask's padding bytes.
                output.Append("/32");
            }
        }

        private void Not(StringBuilder output, Fields field)
        {
            if ((Invert & field) != 0)
            {
                output.Append(" !");
            }
        }
    }

    private static class Ids
    {
        public const int Direction = 0;
        public const int Policy = 1;
        public const int Strict = 2;
        public const int RequestId = 3;
        public const int Spi = 4;
        public const int Protocol = 5;
        public const int Mode = 6;
        public const int TunnelSource = 7;
        public const int TunnelDestination = 8;
        public const int Next = 9;
    }

    private sealed class PolicyExtension : MatchExtension
    {
        private const XtOptionFlags ElementFlags = XtOptionFlags.Multi | XtOptionFlags.Invert;

        public PolicyExtension()
            : base("policy",
            [
                new XtOption("dir", Ids.Direction, XtOptionType.String),
                new XtOption("pol", Ids.Policy, XtOptionType.String),
                new XtOption("strict", Ids.Strict, XtOptionType.None),
                new XtOption("reqid", Ids.RequestId, XtOptionType.UInt32, ElementFlags),
                new XtOption("spi", Ids.Spi, XtOptionType.UInt32, ElementFlags),
                new XtOption("tunnel-src", Ids.TunnelSource, XtOptionType.HostMask, ElementFlags),
                new XtOption("tunnel-dst", Ids.TunnelDestination, XtOptionType.HostMask, ElementFlags),
                new XtOption("proto", Ids.Protocol, XtOptionType.Protocol, ElementFlags),
                new XtOption("mode", Ids.Mode, XtOptionType.String, ElementFlags),
                new XtOption("next", Ids.Next, XtOptionType.None, XtOptionFlags.Multi) { Also = 1u << Ids.Strict },
            ])
        {
        }

        public override string Help =>
            "policy match options:\n" +
            "  --dir in|out\t\t\tmatch policy applied during decapsulation/\n" +
            "\t\t\t\tpolicy to be applied during encapsulation\n" +
            "  --pol none|ipsec\t\tmatch policy\n" +
            "  --strict \t\t\tmatch entire policy instead of single element\n" +
            "\t\t\t\tat any position\n" +
            "These options may be used repeatedly, to describe policy elements:\n" +
            "[!] --reqid reqid\t\tmatch reqid\n" +
            "[!] --spi spi\t\t\tmatch SPI\n" +
            "[!] --proto proto\t\tmatch protocol (ah/esp/ipcomp)\n" +
            "[!] --mode mode \t\tmatch mode (transport/tunnel)\n" +
            "[!] --tunnel-src addr/mask\tmatch tunnel source\n" +
            "[!] --tunnel-dst addr/mask\tmatch tunnel destination\n" +
            "  --next \t\t\tbegin next element in policy\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private readonly Element[] _elements = new Element[MaxElements];
        private Options _flags;
        private ushort _length;

        public override void Parse(OptionCall call)
        {
            ref var e = ref _elements[_length];
            var value = call.Value;
            switch (call.Entry.Id)
            {
                case Ids.Direction:
                    _flags |= call.Arg switch
                    {
                        "in" => Options.In,
                        "out" => Options.Out,
                        _ => throw XtablesException.Parameter($"policy_match: invalid dir \"{call.Arg}\""),
                    };
                    break;
                case Ids.Policy:
                    _flags |= call.Arg switch
                    {
                        "none" => Options.NoPolicy,
                        "ipsec" => Options.None,
                        _ => throw XtablesException.Parameter($"policy match: invalid policy \"{call.Arg}\""),
                    };
                    break;
                case Ids.Strict:
                    _flags |= Options.Strict;
                    break;
                case Ids.RequestId:
                    Once(e, Fields.RequestId, "--reqid");
                    e = Matched(e, Fields.RequestId, call.Invert) with { RequestId = (uint)value.Number };
                    break;
                case Ids.Spi:
                    Once(e, Fields.Spi, "--spi");
                    e = Matched(e, Fields.Spi, call.Invert) with { Spi = (uint)value.Number };
                    break;
                case Ids.TunnelSource:
                    Once(e, Fields.SourceAddress, "--tunnel-src");
                    e = Matched(e, Fields.SourceAddress, call.Invert) with
                    {
                        SourceAddress = value.HostAddress,
                        SourceMask = value.HostMask,
                        SourceMaskPadded = value.HostMaskPadded,
                    };
                    break;
                case Ids.TunnelDestination:
                    Once(e, Fields.DestinationAddress, "--tunnel-dst");
                    e = Matched(e, Fields.DestinationAddress, call.Invert) with
                    {
                        DestinationAddress = value.HostAddress,
                        DestinationMask = value.HostMask,
                        DestinationMaskPadded = value.HostMaskPadded,
                    };
                    break;
                case Ids.Protocol:
                    Once(e, Fields.Protocol, "--proto");
                    if (value.Protocol is not (51 or 50 or 108))
                    {
                        throw XtablesException.Parameter("policy match: protocol must be ah/esp/ipcomp");
                    }

                    e = Matched(e, Fields.Protocol, call.Invert) with { Protocol = value.Protocol };
                    break;
                case Ids.Mode:
                    Once(e, Fields.Mode, "--mode");
                    var mode = call.Arg switch
                    {
                        "transport" => Modes.Transport,
                        "tunnel" => Modes.Tunnel,
                        _ => throw XtablesException.Parameter($"policy match: invalid mode \"{call.Arg}\""),
                    };
                    e = Matched(e, Fields.Mode, call.Invert) with { Mode = mode };
                    break;
                case Ids.Next:
                    if (++_length == MaxElements)
                    {
                        throw XtablesException.Parameter("policy match: maximum policy depth reached");
                    }

                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((_flags & (Options.In | Options.Out)) == 0)
            {
                throw XtablesException.Parameter("policy match: neither --dir in nor --dir out specified");
            }

            if ((_flags & Options.NoPolicy) != 0)
            {
                if ((_flags & Options.Strict) != 0)
                {
                    throw XtablesException.Parameter("policy match: policy none but --strict given");
                }

                if (_length != 0)
                {
                    throw XtablesException.Parameter("policy match: policy none but policy given");
                }
            }
            else
            {
                _length++;
            }

            for (int i = 0; i < _length; i++)
            {
                var e = _elements[i];
                if ((_flags & Options.Strict) != 0 && e.Match == Fields.None)
                {
                    throw XtablesException.Parameter(
                        $"policy match: empty policy element {i}. --strict is in effect, but at least one of reqid, spi, tunnel-src, tunnel-dst, proto or mode is required.");
                }

                bool invertedMode = (e.Invert & Fields.Mode) != 0;
                if ((e.Match & (Fields.SourceAddress | Fields.DestinationAddress)) != 0 &&
                    ((e.Mode == Modes.Tunnel && invertedMode) || (e.Mode == Modes.Transport && !invertedMode)))
                {
                    throw XtablesException.Parameter(
                        "policy match: --tunnel-src/--tunnel-dst is only valid in tunnel mode");
                }
            }
        }

        public override MatchInfo Build() => new PolicyMatch(new ValueArray<Element>(_elements), _flags, _length);

        private static void Once(Element e, Fields field, string option)
        {
            if ((e.Match & field) != 0)
            {
                throw XtablesException.Parameter($"policy match: double {option} option");
            }
        }

        private static Element Matched(Element e, Fields field, bool invert) => e with
        {
            Match = e.Match | field,
            Invert = invert ? e.Invert | field : e.Invert,
        };
    }
}
