using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>The per-rule parsing state of one match or target occurrence.</summary>
/// <remarks>
/// The <c>data</c> area and <c>mflags</c>/<c>tflags</c> that iptables keeps while parsing one extension use:
/// created when <c>-m</c>/<c>-j</c> names the extension (its <c>init()</c>), fed each option (its
/// <c>parse()</c>/<c>x6_parse()</c>), checked at the end (<c>final_check()</c>/<c>x6_fcheck()</c>).
/// For typed options the generic checks and value parsing have already run when <see cref="Parse"/> is
/// called, and <see cref="Flags"/> has the bit of every option seen so far.
/// </remarks>
public abstract class ExtensionParser
{
    /// <summary><c>mflags</c>/<c>tflags</c>; for typed options, bit <c>id</c> is set for every option seen.</summary>
    public uint Flags { get; set; }

    /// <summary>Handles one option occurrence.</summary>
    public abstract void Parse(OptionCall call);

    /// <summary>The final check, once all options are parsed (before the generic mandatory/also/excl checks).</summary>
    public virtual void FinalCheck(string extensionName)
    {
    }
}
