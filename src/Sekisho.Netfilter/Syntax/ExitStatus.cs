namespace Sekisho.Netfilter.Syntax;

/// <summary>Process exit statuses of the iptables tools.</summary>
/// <remarks>The values of libxtables' <c>enum xtables_exittype</c>.</remarks>
public enum ExitStatus
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary><c>OTHER_PROBLEM</c>: a failed kernel operation or internal problem.</summary>
    OtherProblem = 1,

    /// <summary><c>PARAMETER_PROBLEM</c>: bad command line or rule.</summary>
    ParameterProblem = 2,

    /// <summary><c>VERSION_PROBLEM</c>: the table cannot be initialised.</summary>
    VersionProblem = 3,

    /// <summary><c>RESOURCE_PROBLEM</c>: the lock is busy, memory is exhausted.</summary>
    ResourceProblem = 4,
}
