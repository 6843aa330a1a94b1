namespace Sekisho.Netfilter.Kernel;

/// <summary>The kernel's message buffer (what <c>dmesg</c> shows).</summary>
public interface IKernelLog
{
    /// <summary>Writes one message line (without trailing newline).</summary>
    void Write(string message);
}
