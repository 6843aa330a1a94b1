using System.Runtime.InteropServices;

namespace Sekisho.TestSupport.Lab;

/// <summary>The libc calls the lab needs: TAP devices, the kernel log, CPU affinity, a thread's file system user.</summary>
internal static partial class Native
{
    public const int ReadWrite = 2;
    public const int ReadOnly = 0;
    public const int NonBlocking = 0x800;
    public const int SeekEnd = 2;
    public const int PollIn = 1;
    public const int EAgain = 11;
    public const int EPipe = 32;
    public const int EIntr = 4;
    public const int Create = 0x40;
    public const int LockExclusive = 2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int poll(PollFd* fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int sched_setaffinity(int pid, nuint size, ulong* mask);

    [LibraryImport("libc")]
    public static partial int setfsuid(uint fsuid);

    [LibraryImport("libc")]
    public static partial int setfsgid(uint fsgid);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
