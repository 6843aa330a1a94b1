using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>Parses the options of the NAT targets built on <c>struct nf_nat_ipv4_multi_range_compat</c>.</summary>
/// <remarks>
/// libxt_NAT's <c>NAT_parse()</c>: each option is parsed into a fresh range, of which <c>--to-source</c> and
/// <c>--to-destination</c> copy the addresses and ports, <c>--to-ports</c> the ports, and every option its flags.
/// The base port of a shifted range is lost (the structure has no room for it); targets that refuse shifted
/// ranges (<c>DNAT_fcheck()</c>) say so at the final check.
/// </remarks>
internal sealed class CompatNatParser : TargetParser
{
    private readonly Func<NatRange, TargetInfo> _build;
    private readonly bool _refuseShifted;
    private NatRange _range;

    /// <summary>Creates a parser that builds its record with <paramref name="build"/>.</summary>
    public CompatNatParser(Func<NatRange, TargetInfo> build, bool refuseShifted = false)
    {
        _build = build;
        _refuseShifted = refuseShifted;
    }

    /// <inheritdoc />
    public override void Parse(OptionCall call)
    {
        bool portsAllowed = NatSyntax.PortsAllowed(call.EntryContext);
        var names = call.Environment.Names;
        switch (call.Entry.Id)
        {
            case NatSyntax.ToSource:
            case NatSyntax.ToDestination:
                var to = NatSyntax.ParseTo(call.Arg, portsAllowed, default, names);
                _range = _range with
                {
                    Flags = _range.Flags | to.Flags,
                    MinAddress = to.MinAddress,
                    MaxAddress = to.MaxAddress,
                    MinPort = to.MinPort,
                    MaxPort = to.MaxPort,
                };
                break;
            case NatSyntax.ToPorts:
                var ports = NatSyntax.ParsePorts(call.Arg, portsAllowed, default, names);
                _range = _range with { Flags = _range.Flags | ports.Flags, MinPort = ports.MinPort, MaxPort = ports.MaxPort };
                break;
            default:
                _range = _range with { Flags = _range.Flags | NatSyntax.FlagOf(call.Entry.Id) };
                break;
        }
    }

    /// <inheritdoc />
    public override void FinalCheck(string extensionName)
    {
        if (_refuseShifted && (_range.Flags & NatRangeFlags.ProtoOffset) != 0)
        {
            throw XtablesException.Parameter("Shifted portmap ranges not supported with this kernel");
        }
    }

    /// <inheritdoc />
    public override TargetInfo Build() => _build(_range);
}
