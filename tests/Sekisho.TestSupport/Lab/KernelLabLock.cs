using System.Runtime.InteropServices;

namespace Sekisho.TestSupport.Lab;

/// <summary>
/// The machine-wide turn of kernel labs (<c>/run/sekisho-kernel-lab.lock</c>), for tests that read the kernel log
/// without a <see cref="KernelLab"/> (their own namespaces and veth pairs).
/// </summary>
public sealed class KernelLabLock : IDisposable
{
    private readonly int _fd;

    /// <summary>Waits for the lock.</summary>
    public KernelLabLock()
    {
        _fd = Native.open("/run/sekisho-kernel-lab.lock", Native.ReadWrite | Native.Create, 0x180);
        if (_fd < 0)
        {
            throw new InvalidOperationException("cannot open /run/sekisho-kernel-lab.lock");
        }

        while (Native.flock(_fd, Native.LockExclusive) != 0)
        {
            if (Marshal.GetLastPInvokeError() != Native.EIntr)
            {
                Native.close(_fd);
                throw new InvalidOperationException("cannot lock /run/sekisho-kernel-lab.lock");
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Native.close(_fd);
}
