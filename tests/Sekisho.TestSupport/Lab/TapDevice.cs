using System.Runtime.InteropServices;
using System.Text;

namespace Sekisho.TestSupport.Lab;

/// <summary>A TAP device: frames written to it are received by the kernel on the interface; frames the kernel sends through the interface are read from it.</summary>
public sealed unsafe class TapDevice : IDisposable
{
    private const nuint TunSetIff = 0x400454CA;
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;

    private readonly int _fd;

    private TapDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>Creates a TAP interface in the calling thread's network namespace.</summary>
    public static TapDevice Create(string name)
    {
        int fd = Native.open("/dev/net/tun", Native.ReadWrite | Native.NonBlocking);
        if (fd < 0)
        {
            throw new InvalidOperationException($"open /dev/net/tun failed: errno {Marshal.GetLastPInvokeError()}");
        }

        byte* request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        Encoding.ASCII.GetBytes(name, new Span<byte>(request, 15));
        *(short*)(request + 16) = IffTap | IffNoPi;
        if (Native.ioctl(fd, TunSetIff, request) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Native.close(fd);
            throw new InvalidOperationException($"TUNSETIFF {name} failed: errno {errno}");
        }

        return new TapDevice(fd, name);
    }

    /// <summary>Hands a frame to the kernel, which processes it before the call returns.</summary>
    public void Write(ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            if (Native.write(_fd, p, frame.Length) != frame.Length)
            {
                throw new InvalidOperationException($"write to {Name} failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    /// <summary>Reads a frame the kernel sent, waiting at most <paramref name="timeoutMilliseconds"/>; null when none came.</summary>
    public byte[]? Read(int timeoutMilliseconds)
    {
        var buffer = new byte[65536];
        while (true)
        {
            fixed (byte* p = buffer)
            {
                nint n = Native.read(_fd, p, buffer.Length);
                if (n >= 0)
                {
                    return buffer.AsSpan(0, (int)n).ToArray();
                }
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Native.EIntr)
            {
                continue;
            }

            if (errno != Native.EAgain)
            {
                throw new InvalidOperationException($"read from {Name} failed: errno {errno}");
            }

            if (timeoutMilliseconds <= 0)
            {
                return null;
            }

            var fds = new Native.PollFd { Fd = _fd, Events = Native.PollIn };
            int ready = Native.poll(&fds, 1, timeoutMilliseconds);
            if (ready == 0)
            {
                return null;
            }

            timeoutMilliseconds = 0;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Native.close(_fd);
}
