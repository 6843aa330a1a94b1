using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>icmp</c> match: an ICMP type and a range of codes.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_icmp</c> (ip_tables' built-in icmp match, revision 0, protocol 1 only) and
/// iptables' libipt_icmp. Type 255 with the full code range is "any" (also the state before any option). Type
/// names are matched by unambiguous prefix, ignoring case. Saving prints "any" only for the full code range, as
/// iptables 1.8.11 does (1.8.9 printed it for every type 255).
/// </remarks>
public sealed record IcmpMatch(byte Type, byte CodeMin, byte CodeMax, IcmpMatch.Inversions Invert) : MatchInfo
{
    /// <summary>The type value that stands for any ICMP type.</summary>
    public const byte AnyType = 0xFF;

    private static readonly XtModule s_module = new("icmp", 0) { Protocol = 1 };

    // libxt_icmp.h's icmp_codes[]: the first entry of a (type, codes) pair is the name iptables prints.
    private static readonly (string Name, byte Type, byte CodeMin, byte CodeMax)[] s_codes =
    [
        ("any", 0xFF, 0, 0xFF),
        ("echo-reply", 0, 0, 0xFF),
        ("pong", 0, 0, 0xFF),
        ("destination-unreachable", 3, 0, 0xFF),
        ("network-unreachable", 3, 0, 0),
        ("host-unreachable", 3, 1, 1),
        ("protocol-unreachable", 3, 2, 2),
        ("port-unreachable", 3, 3, 3),
        ("fragmentation-needed", 3, 4, 4),
        ("source-route-failed", 3, 5, 5),
        ("network-unknown", 3, 6, 6),
        ("host-unknown", 3, 7, 7),
        ("network-prohibited", 3, 9, 9),
        ("host-prohibited", 3, 10, 10),
        ("TOS-network-unreachable", 3, 11, 11),
        ("TOS-host-unreachable", 3, 12, 12),
        ("communication-prohibited", 3, 13, 13),
        ("host-precedence-violation", 3, 14, 14),
        ("precedence-cutoff", 3, 15, 15),
        ("source-quench", 4, 0, 0xFF),
        ("redirect", 5, 0, 0xFF),
        ("network-redirect", 5, 0, 0),
        ("host-redirect", 5, 1, 1),
        ("TOS-network-redirect", 5, 2, 2),
        ("TOS-host-redirect", 5, 3, 3),
        ("echo-request", 8, 0, 0xFF),
        ("ping", 8, 0, 0xFF),
        ("router-advertisement", 9, 0, 0xFF),
        ("router-solicitation", 10, 0, 0xFF),
        ("time-exceeded", 11, 0, 0xFF),
        ("ttl-exceeded", 11, 0, 0xFF),
        ("ttl-zero-during-transit", 11, 0, 0),
        ("ttl-zero-during-reassembly", 11, 1, 1),
        ("parameter-problem", 12, 0, 0xFF),
        ("ip-header-bad", 12, 0, 0),
        ("required-option-missing", 12, 1, 1),
        ("timestamp-request", 13, 0, 0xFF),
        ("timestamp-reply", 14, 0, 0xFF),
        ("address-mask-request", 17, 0, 0xFF),
        ("address-mask-reply", 18, 0, 0xFF),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new IcmpExtension();

    /// <summary>
    /// The type and code of an ICMP name iptables knows (<c>echo-request</c>, <c>port-unreachable</c>, ...); a name
    /// that covers every code gives code 0.
    /// </summary>
    public static bool TryLookupName(string name, out byte type, out byte code)
    {
        foreach (var entry in s_codes)
        {
            if (entry.Type != 0xFF && string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                type = entry.Type;
                code = entry.CodeMin;
                return true;
            }
        }

        type = code = 0;
        return false;
    }

    /// <summary>The <c>IPT_ICMP_INV</c> bit.</summary>
    [Flags]
    public enum Inversions : byte
    {
        /// <summary>Not inverted.</summary>
        None = 0,

        /// <summary><c>IPT_ICMP_INV</c>: the type/code test is inverted.</summary>
        Type = 0x01,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// ip_tables' <c>icmp_match()</c>: a non-first fragment never matches; a packet without the 8 bytes of
    /// <c>struct icmphdr</c> is dropped; type 255 (<c>any</c>) matches every type and code.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            return false;
        }

        if (!context.TryRead(context.TransportOffset, 8, out var header))
        {
            context.HotDrop = true;
            return false;
        }

        bool matches = Type == AnyType || (header[0] == Type && header[1] >= CodeMin && header[1] <= CodeMax);
        return matches ^ ((Invert & Inversions.Type) != 0);
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" icmp");
        bool invert = (Invert & Inversions.Type) != 0;
        string? name = context.Numeric ? null : NameOf(Type, CodeMin, CodeMax);
        if (name != null)
        {
            output.Append(' ').Append(invert ? "!" : string.Empty).Append(name);
        }
        else
        {
            // iptables prints no space between "icmp" and "type" here.
            if (invert)
            {
                output.Append(" !");
            }

            output.Append(CultureInfo.InvariantCulture, $"type {Type}");
            if (CodeMin == CodeMax)
            {
                output.Append(CultureInfo.InvariantCulture, $" code {CodeMin}");
            }
            else if (CodeMin != 0 || CodeMax != 0xFF)
            {
                output.Append(CultureInfo.InvariantCulture, $" codes {CodeMin}-{CodeMax}");
            }
        }

        if ((Invert & ~Inversions.Type) != 0)
        {
            output.Append(CultureInfo.InvariantCulture, $" Unknown invflags: 0x{(byte)(Invert & ~Inversions.Type):X}");
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Invert & Inversions.Type) != 0)
        {
            output.Append(" !");
        }

        if (Type == AnyType && CodeMin == 0 && CodeMax == 0xFF)
        {
            output.Append(" --icmp-type any");
            return;
        }

        output.Append(" --icmp-type ").Append(Type.ToString(CultureInfo.InvariantCulture));
        if (CodeMin != 0 || CodeMax != 0xFF)
        {
            output.Append('/').Append(CodeMin.ToString(CultureInfo.InvariantCulture));

            // iptables' save form keeps the first code only; the state file keeps the whole range.
            if (context.Exact && CodeMax != CodeMin)
            {
                output.Append(':').Append(CodeMax.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        (Invert & ~Inversions.Type) != 0 ? Errno.EINVAL : Errno.Ok;

    private static string? NameOf(byte type, byte codeMin, byte codeMax)
    {
        foreach (var (name, t, min, max) in s_codes)
        {
            if (t == type && min == codeMin && max == codeMax)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>
    /// <c>ipt_parse_icmp</c>: a type name (an unambiguous prefix of one, any case), or <c>type[/code[:code]]</c>
    /// in numbers.
    /// </summary>
    private static (byte Type, byte CodeMin, byte CodeMax) ParseIcmp(string text)
    {
        int match = -1;
        for (int i = 0; i < s_codes.Length; i++)
        {
            if (!CStrings.StartsWithIgnoreCase(s_codes[i].Name, text))
            {
                continue;
            }

            if (match >= 0)
            {
                throw XtablesException.Parameter(
                    $"Ambiguous ICMP type `{text}': `{s_codes[match].Name}' or `{s_codes[i].Name}'?");
            }

            match = i;
        }

        if (match >= 0)
        {
            return (s_codes[match].Type, s_codes[match].CodeMin, s_codes[match].CodeMax);
        }

        int next = ParseRange(text, 0, out uint typeMin, out uint typeMax);
        if (next < 0)
        {
            throw XtablesException.Parameter($"Unknown ICMP type `{text}'");
        }

        byte codeMin = 0;
        byte codeMax = 0xFF;
        if (next < text.Length)
        {
            if (text[next] != '/')
            {
                throw XtablesException.Parameter($"unknown character {text[next]}");
            }

            next = ParseRange(text, next + 1, out uint min, out uint max);
            if (next < 0)
            {
                throw XtablesException.Parameter($"Unknown ICMP code `{text}'");
            }

            if (next < text.Length)
            {
                throw XtablesException.Parameter($"unknown character {text[next]}");
            }

            codeMin = (byte)min;
            codeMax = (byte)max;
        }

        if (typeMin != typeMax)
        {
            throw XtablesException.Parameter("ICMP type range not supported");
        }

        return ((byte)typeMin, codeMin, codeMax);
    }

    /// <summary><c>n[:m]</c> with each 0..255; the index after it, or -1.</summary>
    private static int ParseRange(string text, int start, out uint min, out uint max)
    {
        max = 0;
        if (!CNumbers.TryStrToUI(text, start, out int next, out min, 0, byte.MaxValue))
        {
            return -1;
        }

        max = min;
        if (next < text.Length && text[next] == ':' &&
            !CNumbers.TryStrToUI(text, next + 1, out next, out max, 0, byte.MaxValue))
        {
            return -1;
        }

        return next;
    }

    private static class Ids
    {
        public const int IcmpType = 0;
    }

    private sealed class IcmpExtension : MatchExtension
    {
        public IcmpExtension()
            : base("icmp",
            [
                new XtOption("icmp-type", Ids.IcmpType, XtOptionType.String, XtOptionFlags.Mandatory | XtOptionFlags.Invert),
            ])
        {
        }

        public override string Help { get; } = BuildHelp();

        public override MatchParser CreateParser() => new Parser();

        private static string BuildHelp()
        {
            var help = new StringBuilder(
                "icmp match options:\n" +
                "[!] --icmp-type typename\tmatch icmp type\n" +
                "[!] --icmp-type type[/code]\t(or numeric type or type/code)\n" +
                "Valid ICMP Types:");
            for (int i = 0; i < s_codes.Length; i++)
            {
                var code = s_codes[i];
                if (i > 0 && code.Type == s_codes[i - 1].Type)
                {
                    bool alias = code.CodeMin == s_codes[i - 1].CodeMin && code.CodeMax == s_codes[i - 1].CodeMax;
                    help.Append(alias ? " (" + code.Name + ")" : "\n   " + code.Name);
                }
                else
                {
                    help.Append('\n').Append(code.Name);
                }
            }

            return help.Append('\n').ToString();
        }
    }

    private sealed class Parser : MatchParser
    {
        private byte _type = AnyType;
        private byte _codeMin;
        private byte _codeMax = 0xFF;
        private Inversions _invert;

        public override void Parse(OptionCall call)
        {
            (_type, _codeMin, _codeMax) = ParseIcmp(call.Arg);
            if (call.Invert)
            {
                _invert |= Inversions.Type;
            }
        }

        public override MatchInfo Build() => new IcmpMatch(_type, _codeMin, _codeMax, _invert);
    }
}
