using System.Runtime.InteropServices;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.State;

/// <summary>The xtables lock: an exclusive <c>flock()</c> on a lock file.</summary>
/// <remarks>
/// iptables serialises its invocations with <c>flock(LOCK_EX)</c> on <c>/run/xtables.lock</c> (or
/// <c>$XTABLES_LOCKFILE</c>). Sekisho locks a file in its state directory the same way, so two Sekisho commands
/// never interleave their read-modify-write of the ruleset. Without <c>-w</c> a busy lock is an immediate
/// error; <c>-w N</c> waits up to N seconds, <c>-w</c> alone waits for as long as it takes.
/// </remarks>
public sealed partial class XtablesLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int LockUnlock = 8;

    private const int OpenCreate = 0x40;
    private const int OpenCloseOnExec = 0x80000;

    private int _fd;

    private XtablesLock(int fd)
    {
        _fd = fd;
    }

    /// <summary>Acquires the lock or throws iptables' resource-problem error.</summary>
    public static XtablesLock Acquire(string path, int wait, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;

        // A raw descriptor: .NET's FileStream takes flock locks of its own, which would collide with this one.
        int fd = open(path, OpenCreate | OpenCloseOnExec, 0x180);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new XtablesException(ExitStatus.ResourceProblem,
                $"Fatal: can't open lock file {path}: {Marshal.GetPInvokeErrorMessage(errno)}\n", XtablesErrorStyle.Raw);
        }

        if (flock(fd, LockExclusive | LockNonBlocking) == 0)
        {
            return new XtablesLock(fd);
        }

        if (wait == 0)
        {
            close(fd);
            throw new XtablesException(ExitStatus.ResourceProblem,
                "Another app is currently holding the xtables lock. Perhaps you want to use the -w option?\n",
                XtablesErrorStyle.Raw);
        }

        long start = time.GetTimestamp();
        while (true)
        {
            // Poll: flock cannot be given a timeout, and a waiter must not hold the process hostage.
            Thread.Sleep(10);
            if (flock(fd, LockExclusive | LockNonBlocking) == 0)
            {
                return new XtablesLock(fd);
            }

            if (wait > 0 && time.GetElapsedTime(start) >= TimeSpan.FromSeconds(wait))
            {
                close(fd);
                throw new XtablesException(ExitStatus.ResourceProblem,
                    $"Can't lock {path}: Resource temporarily unavailable\n" +
                    $"Another app is currently holding the xtables lock. Stopped waiting after {wait}s.\n",
                    XtablesErrorStyle.Raw);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            // Unlock before closing: a child forked meanwhile (by another thread, before its exec closes the
            // descriptor) shares the open file description, and closing alone would leave the lock held until
            // that child execs.
            flock(fd, LockUnlock);
            close(fd);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
