using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Live.Control;

/// <summary><c>service iptables save</c>: the ruleset, in iptables-save's form, written to the rules file.</summary>
/// <remarks>
/// As iptables.init does (<c>iptables-save &gt; temp; chmod 600; mv</c>), but durable: a temporary file created
/// with mode 0600 beside the target, fsync, rename, fsync of the directory. A failure leaves the old file exactly
/// as it was.
/// </remarks>
public static class RulesFileSaver
{
    /// <summary>Saves <paramref name="store"/>'s ruleset to <paramref name="rulesFile"/>; returns the exit status.</summary>
    public static int Save(IRulesetStore store, INameService names, string rulesFile, TextWriter stdout, TextWriter stderr,
        TimeProvider? time = null)
    {
        var saved = new MemoryStream();
        var text = new StreamWriter(saved, new UTF8Encoding(false)) { NewLine = "\n" };
        var errors = new StringWriter { NewLine = "\n" };
        int rc = new SaveCommand(store, names, time).Run([], new ToolOutput(text, errors));
        text.Flush();
        if (rc == 0)
        {
            try
            {
                AtomicFile.Write(rulesFile, stream => stream.Write(saved.GetBuffer(), 0, (int)saved.Length),
                    UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Write($"sekisho: cannot write {rulesFile}: {ex.Message}\n");
                rc = 1;
            }
        }

        stdout.Write(ServiceText.Saving(rulesFile) + (rc == 0 ? ServiceText.Ok : ServiceText.Failed) + "\n");
        stderr.Write(errors.ToString());
        return rc == 0 ? 0 : 1;
    }
}
