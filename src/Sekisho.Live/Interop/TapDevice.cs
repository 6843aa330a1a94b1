using System.Text;

namespace Sekisho.Live.Interop;

/// <summary>
/// A TAP device (<c>/dev/net/tun</c>, <c>IFF_TAP | IFF_NO_PI | IFF_VNET_HDR</c>): a frame written to it is received
/// by the host's kernel on the interface; a frame the kernel sends through the interface is read from it. Each frame
/// comes behind a <see cref="VirtioNetHeader"/>.
/// </summary>
/// <remarks>
/// <para>
/// Checksum and segmentation offload are on (<c>TUNSETOFFLOAD</c>: <c>TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
/// TUN_F_TSO_ECN</c>), so that the host hands over TCP super-frames of up to 64 KiB with the checksum left to finish,
/// as to a NIC with TSO, instead of segmenting in software.
/// </para>
/// <para>
/// The device is not persistent: it disappears, with its addresses and routes, when the descriptor is closed, which
/// the kernel does also when the process dies. Reads and writes never block and never throw on the packet path.
/// </para>
/// </remarks>
internal sealed unsafe class TapDevice : IDisposable
{
    private const nuint TunSetIff = 0x400454CA;
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;
    private const short IffVnetHdr = 0x4000;
    private const nuint TunSetOffload = 0x400454D0;
    private const uint Offloads = 0x01 | 0x02 | 0x04 | 0x08;

    private TapDevice(int fd, string name)
    {
        Fd = fd;
        Name = name;
    }

    /// <summary>The descriptor.</summary>
    public int Fd { get; private set; }

    /// <summary>The interface name.</summary>
    public string Name { get; }

    /// <summary>Creates the TAP interface <paramref name="name"/> in the calling thread's network namespace.</summary>
    public static TapDevice Create(string name)
    {
        int fd = Libc.open("/dev/net/tun", Libc.ORdWr | Libc.ONonBlock | Libc.OCloExec);
        if (fd < 0)
        {
            throw new IOException($"cannot open /dev/net/tun: errno {Libc.Errno}");
        }

        byte* request = stackalloc byte[40];
        new Span<byte>(request, 40).Clear();
        Encoding.ASCII.GetBytes(name, new Span<byte>(request, 15));
        *(short*)(request + 16) = IffTap | IffNoPi | IffVnetHdr;
        if (Libc.ioctl(fd, TunSetIff, request) != 0 || Libc.ioctl(fd, TunSetOffload, (void*)Offloads) != 0)
        {
            int errno = Libc.Errno;
            Libc.close(fd);
            throw new IOException($"cannot create the TAP device {name}: errno {errno}");
        }

        return new TapDevice(fd, name);
    }

    /// <summary>
    /// Reads one frame, behind its <see cref="VirtioNetHeader"/>, into <paramref name="buffer"/>; the length of both,
    /// or 0 when none is waiting (or on error).
    /// </summary>
    public int Read(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                nint n = Libc.read(Fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                if (Libc.Errno != Libc.EIntr)
                {
                    return 0;
                }
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.close(Fd);
            Fd = -1;
        }
    }
}
