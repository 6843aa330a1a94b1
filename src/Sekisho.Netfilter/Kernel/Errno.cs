namespace Sekisho.Netfilter.Kernel;

/// <summary>The Linux error numbers the table code returns.</summary>
public static class Errno
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;

    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>Argument list too long (index too big in libiptc).</summary>
    public const int E2BIG = 7;

    /// <summary>Try again.</summary>
    public const int EAGAIN = 11;

    /// <summary>Out of memory.</summary>
    public const int ENOMEM = 12;

    /// <summary>File exists.</summary>
    public const int EEXIST = 17;

    /// <summary>Invalid argument.</summary>
    public const int EINVAL = 22;

    /// <summary>Too many links (chain still referenced).</summary>
    public const int EMLINK = 31;

    /// <summary>Numerical argument out of domain.</summary>
    public const int EDOM = 33;

    /// <summary>Numerical result out of range.</summary>
    public const int ERANGE = 34;

    /// <summary>Too many levels of symbolic links (loop in the table).</summary>
    public const int ELOOP = 40;

    /// <summary>Directory not empty (chain not empty).</summary>
    public const int ENOTEMPTY = 39;

    /// <summary>Protocol not available.</summary>
    public const int ENOPROTOOPT = 92;

    /// <summary>Function not implemented.</summary>
    public const int ENOSYS = 38;

    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>The C library's <c>strerror()</c> text.</summary>
    public static string StrError(int errno) => errno switch
    {
        EPERM => "Operation not permitted",
        ENOENT => "No such file or directory",
        E2BIG => "Argument list too long",
        EAGAIN => "Resource temporarily unavailable",
        ENOMEM => "Cannot allocate memory",
        EEXIST => "File exists",
        EINVAL => "Invalid argument",
        EMLINK => "Too many links",
        EDOM => "Numerical argument out of domain",
        ERANGE => "Numerical result out of range",
        ELOOP => "Too many levels of symbolic links",
        ENOTEMPTY => "Directory not empty",
        ENOPROTOOPT => "Protocol not available",
        ENOSYS => "Function not implemented",
        EOPNOTSUPP => "Operation not supported",
        _ => $"Unknown error {errno}",
    };
}
