using System.Collections.Immutable;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions;

/// <summary>The iptables side of a match or target extension: its name and options.</summary>
/// <remarks>
/// The user-space <c>struct xtables_match</c>/<c>xtables_target</c> of the revision iptables 1.8.9 selects on
/// a current kernel. Options are merged into getopt's table when the extension is loaded.
/// </remarks>
public abstract class Extension
{
    /// <summary>Describes an extension.</summary>
    protected Extension(string name, IEnumerable<XtOption> options)
    {
        Name = name;
        Options = options.ToImmutableArray();
        if (Options.Any(o => o.Type != XtOptionType.Legacy) && Options.Any(o => o.Type == XtOptionType.Legacy))
        {
            throw new ArgumentException($"Extension {name} mixes typed and legacy options.", nameof(options));
        }
    }

    /// <summary>The name the user gives after <c>-m</c>/<c>-j</c>.</summary>
    public string Name { get; }

    /// <summary>The long options, in the order getopt sees them.</summary>
    public ImmutableArray<XtOption> Options { get; }

    /// <summary>The text <c>iptables -h</c> prints for the extension, or null when it takes no options.</summary>
    public virtual string? Help => null;

    /// <summary>Whether the extension uses typed options (and so the generic checks).</summary>
    public bool IsTyped => Options.Length > 0 && Options[0].Type != XtOptionType.Legacy;
}
