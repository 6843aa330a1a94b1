namespace Sekisho.Netfilter.Syntax;

/// <summary>How an <see cref="XtablesException"/> is printed.</summary>
public enum XtablesErrorStyle
{
    /// <summary>
    /// <c>xtables_error()</c>: "<c>iptables v1.8.9 (legacy): message</c>", then for parameter problems the
    /// "Error occurred at line" and "Try `iptables -h'" lines, for version problems the upgrade hint.
    /// </summary>
    Xtables,

    /// <summary>The message verbatim (it carries its own newline), then <c>exit_tryhelp()</c>.</summary>
    RawWithHelp,

    /// <summary>The message verbatim (it carries its own newline), nothing else.</summary>
    Raw,
}

/// <summary>
/// An error of the iptables command language: the exact text iptables prints and the status it exits with.
/// </summary>
/// <remarks>
/// Mirrors <c>xtables_error()</c> / <c>basic_exit_err()</c> of libxtables, which print and <c>exit()</c>.
/// Thrown only on the command path (parsing, editing, restoring), never on the packet path.
/// </remarks>
public sealed class XtablesException : Exception
{
    /// <summary>Creates an error printed in the given style.</summary>
    public XtablesException(ExitStatus status, string message, XtablesErrorStyle style = XtablesErrorStyle.Xtables)
        : base(message)
    {
        Status = status;
        Style = style;
    }

    /// <summary>The exit status.</summary>
    public ExitStatus Status { get; }

    /// <summary>How the message is printed.</summary>
    public XtablesErrorStyle Style { get; }

    /// <summary>A <c>PARAMETER_PROBLEM</c> printed the xtables way.</summary>
    public static XtablesException Parameter(string message) => new(ExitStatus.ParameterProblem, message);

    /// <summary>An <c>OTHER_PROBLEM</c> printed the xtables way.</summary>
    public static XtablesException Other(string message) => new(ExitStatus.OtherProblem, message);
}
