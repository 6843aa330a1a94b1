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

    private readonly SafeHandle _handle;

    private XtablesLock(SafeHandle handle)
    {
        _handle = handle;
    }

    /// <summary>Acquires the lock or throws iptables' resource-problem error.</summary>
    public static XtablesLock Acquire(string path, int wait, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        SafeHandle handle;
        try
        {
            var stream = File.Open(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            handle = stream.SafeFileHandle;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new XtablesException(ExitStatus.ResourceProblem,
                $"Fatal: can't open lock file {path}: {ex.Message}\n", XtablesErrorStyle.Raw);
        }

        int fd = (int)handle.DangerousGetHandle();
        if (flock(fd, LockExclusive | LockNonBlocking) == 0)
        {
            return new XtablesLock(handle);
        }

        if (wait == 0)
        {
            handle.Dispose();
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
                return new XtablesLock(handle);
            }

            if (wait > 0 && time.GetElapsedTime(start) >= TimeSpan.FromSeconds(wait))
            {
                handle.Dispose();
                throw new XtablesException(ExitStatus.ResourceProblem,
                    $"Can't lock {path}: Resource temporarily unavailable\n" +
                    $"Another app is currently holding the xtables lock. Stopped waiting after {wait}s.\n",
                    XtablesErrorStyle.Raw);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _handle.Dispose();

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);
}
