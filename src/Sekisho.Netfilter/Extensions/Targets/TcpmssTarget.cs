using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

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
