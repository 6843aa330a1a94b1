namespace Sekisho.Live.Interop;

/// <summary>Runs code inside another network namespace, on a thread of its own (<c>setns</c> is per thread).</summary>
/// <remarks>
/// Sockets and devices keep the namespace they were created in: a packet socket opened here stays on the daemon's
/// namespace after the thread ends, while the rest of the process stays in the host's.
/// </remarks>
internal static class NamespaceEntry
{
    /// <summary>Runs <paramref name="action"/> in the network namespace bound at <paramref name="path"/> (<c>/run/netns/NAME</c>).</summary>
    public static T Run<T>(string path, Func<T> action)
    {
        T? result = default;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                int fd = Libc.open(path, Libc.ORdOnly | Libc.OCloExec);
                if (fd < 0)
                {
                    throw new IOException($"cannot open the network namespace {path}: errno {Libc.Errno}");
                }

                try
                {
                    if (Libc.setns(fd, Libc.CloneNewNet) != 0)
                    {
                        throw new IOException($"cannot enter the network namespace {path}: errno {Libc.Errno}");
                    }
                }
                finally
                {
                    Libc.close(fd);
                }

                result = action();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        })
        {
            IsBackground = true,
            Name = "sekisho-netns",
        };
        thread.Start();
        thread.Join();
        if (failure is not null)
        {
            throw new IOException(failure.Message, failure);
        }

        return result!;
    }
}
