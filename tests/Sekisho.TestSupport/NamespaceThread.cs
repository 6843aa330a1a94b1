using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Sekisho.TestSupport;

/// <summary>A thread living in a network namespace, to run Sekisho in-process with the kernel side's network view.</summary>
/// <remarks>
/// Name lookups (getnameinfo, getaddrinfo) behave differently with and without a reachable DNS server: a
/// namespace without network makes glibc fail lookups with EAI_AGAIN, so iptables falls back to /etc/networks
/// names. Running Sekisho's side on a thread that has joined the kernel side's namespace (setns) makes both
/// sides resolve under the same conditions.
/// </remarks>
public sealed partial class NamespaceThread : IDisposable
{
    private const int CloneNewNet = 0x40000000;
    private readonly BlockingCollection<Action> _work = new();
    private readonly Thread _thread;

    /// <summary>Starts a thread in the named namespace (from <c>ip netns add</c>).</summary>
    public NamespaceThread(string namespaceName)
    {
        var ready = new TaskCompletionSource();
        _thread = new Thread(() =>
        {
            int fd = open($"/var/run/netns/{namespaceName}", 0);
            if (fd < 0 || setns(fd, CloneNewNet) != 0)
            {
                ready.SetException(new InvalidOperationException($"cannot join network namespace {namespaceName}"));
                return;
            }

            close(fd);
            ready.SetResult();
            foreach (var item in _work.GetConsumingEnumerable())
            {
                item();
            }
        })
        {
            IsBackground = true,
            Name = $"netns {namespaceName}",
        };
        _thread.Start();
        ready.Task.GetAwaiter().GetResult();
    }

    /// <summary>Runs a function on the namespace thread and returns its result.</summary>
    public T Invoke<T>(Func<T> function)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _work.Add(() =>
        {
            try
            {
                result.SetResult(function());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _work.CompleteAdding();
        _thread.Join();
        _work.Dispose();
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int setns(int fd, int nstype);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
