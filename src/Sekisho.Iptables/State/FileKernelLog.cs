using Sekisho.Netfilter.Kernel;

namespace Sekisho.Iptables.State;

/// <summary>The kernel log of a state directory: one message per line, appended.</summary>
internal sealed class FileKernelLog : IKernelLog
{
    private readonly string _path;

    public FileKernelLog(string path)
    {
        _path = path;
    }

    public void Write(string message)
    {
        try
        {
            File.AppendAllText(_path, message + "\n");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The log is advisory, as dmesg is: a full disk must not turn a refusal into a crash.
        }
    }
}
