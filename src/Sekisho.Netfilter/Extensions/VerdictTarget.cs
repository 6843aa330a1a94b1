using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Extensions;

/// <summary>The standard target with a verdict: ACCEPT, DROP, QUEUE, RETURN, or none at all.</summary>
/// <remarks>The kernel's <c>struct xt_standard_target</c> with a negative verdict, or a fall-through.</remarks>
public sealed record VerdictTarget(Verdict Verdict) : TargetInfo
{
    /// <summary>ACCEPT.</summary>
    public static VerdictTarget Accept { get; } = new(Verdict.Accept);

    /// <summary>DROP.</summary>
    public static VerdictTarget Drop { get; } = new(Verdict.Drop);

    /// <summary>QUEUE.</summary>
    public static VerdictTarget Queue { get; } = new(Verdict.Queue);

    /// <summary>RETURN.</summary>
    public static VerdictTarget Return { get; } = new(Verdict.Return);

    /// <summary>No target: the rule only counts.</summary>
    public static VerdictTarget Continue { get; } = new(Verdict.Continue);

    /// <inheritdoc />
    public override XtModule? Module => null;

    /// <inheritdoc />
    public override string Name => NameOf(Verdict);

    /// <summary>The label of a verdict ("" for none).</summary>
    public static string NameOf(Verdict verdict) => verdict switch
    {
        Verdict.Accept => "ACCEPT",
        Verdict.Drop => "DROP",
        Verdict.Queue => "QUEUE",
        Verdict.Return => "RETURN",
        _ => string.Empty,
    };

    /// <summary>The verdict of a standard label, or null when the name is not one.</summary>
    public static VerdictTarget? FromName(string name) => name switch
    {
        "ACCEPT" => Accept,
        "DROP" => Drop,
        "QUEUE" => Queue,
        "RETURN" => Return,
        "" => Continue,
        _ => null,
    };

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
    }

    /// <summary>
    /// The verdict as a hook verdict. The evaluator carries standard verdicts out itself (as <c>ipt_do_table</c>
    /// does) and never calls this; it is there for callers that run a target on its own.
    /// </summary>
    public override uint Execute(PacketContext context, object? state) => Verdict switch
    {
        Verdict.Accept => NfVerdict.Accept,
        Verdict.Drop => NfVerdict.Drop,
        Verdict.Queue => NfVerdict.Queue,
        _ => NfVerdict.Continue,
    };
}
