using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Kernel;

/// <summary>The kernel side of a match or target: the restrictions <c>xt_check_match</c>/<c>xt_check_target</c> enforce.</summary>
/// <remarks>
/// The fields of <c>struct xt_match</c>/<c>struct xt_target</c> that the generic checks read: the protocol the
/// extension requires, the hooks it may be used from, and the table it is limited to.
/// </remarks>
public sealed record XtModule
{
    /// <summary>Describes a module.</summary>
    public XtModule(string name, byte revision)
    {
        Name = name;
        Revision = revision;
    }

    /// <summary>The kernel name (<c>u.user.name</c>).</summary>
    public string Name { get; }

    /// <summary>The revision.</summary>
    public byte Revision { get; }

    /// <summary>Required layer-4 protocol (0: any), checked against a non-inverted <c>-p</c>.</summary>
    public byte Protocol { get; init; }

    /// <summary>Hooks the extension may be used from (<see cref="HookMask.None"/>: any).</summary>
    public HookMask Hooks { get; init; }

    /// <summary>The only table it may be used in, or null.</summary>
    public string? Table { get; init; }
}
