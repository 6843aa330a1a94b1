namespace Sekisho.Netfilter.Kernel;

/// <summary>A kernel log that discards messages.</summary>
public sealed class NullKernelLog : IKernelLog
{
    /// <summary>The shared instance.</summary>
    public static NullKernelLog Instance { get; } = new();

    /// <inheritdoc />
    public void Write(string message)
    {
    }
}
