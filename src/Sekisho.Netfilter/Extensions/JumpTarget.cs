using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Extensions;

/// <summary>A jump (<c>-j chain</c>) or goto (<c>-g chain</c>, with <see cref="IpFlags.Goto"/>) to a user chain.</summary>
/// <remarks>The kernel's standard target with a positive verdict: the offset of the chain's first rule.</remarks>
public sealed record JumpTarget(string Chain) : TargetInfo
{
    /// <inheritdoc />
    public override XtModule? Module => null;

    /// <inheritdoc />
    public override string Name => Chain;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
    }

    /// <summary>
    /// Jumps are carried out by the evaluator (<c>ipt_do_table</c> walks to the chain); run on its own, the target
    /// goes on with the next rule (<c>XT_CONTINUE</c>).
    /// </summary>
    public override uint Execute(PacketContext context, object? state) => NfVerdict.Continue;
}
