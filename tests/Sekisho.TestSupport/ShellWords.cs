namespace Sekisho.TestSupport;

/// <summary>Splits a command line into words the way a POSIX shell does (see <see cref="Iptables.Commands.ShellWords"/>).</summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="line"/>.</summary>
    public static List<string> Split(string line) => Iptables.Commands.ShellWords.Split(line);
}
