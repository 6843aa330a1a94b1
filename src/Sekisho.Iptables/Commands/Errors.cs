namespace Sekisho.Iptables.Commands;

/// <summary>C-library style descriptions of .NET I/O exceptions (what <c>strerror(errno)</c> would say).</summary>
internal static class Errors
{
    public static string Describe(Exception ex) => ex switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => ex.Message,
    };
}
