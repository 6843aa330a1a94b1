using System.Globalization;
using Sekisho.Iptables.State;
using Sekisho.Live.Interop;

namespace Sekisho.Live.Daemon;

/// <summary>
/// Puts the daemon between the managed interfaces and the host: each interface moves into the daemon's network
/// namespace, and a TAP device of the same name, MAC address, MTU, addresses and routes takes its place in the host's.
/// </summary>
/// <remarks>
/// <para>
/// The daemon's namespace is a named one (<c>ip netns add</c>), so that it outlives a crash: with fail closed the
/// interfaces stay there, unreachable to the host, until the daemon starts again (and adopts them) or
/// <c>sekisho daemon --cleanup</c> runs; with fail open the cleanup moves them back with their configuration. The
/// interfaces get no addresses in the daemon's namespace (and no IPv6 link-local address), so its kernel never
/// answers for them. The TAP devices vanish with the daemon's descriptors, whatever the way it ends.
/// </para>
/// <para>
/// The daemon must share the mount namespace of the tools that clean up after it: <c>ip netns exec</c> gives a
/// process a private one, where a namespace it names is invisible to others; <c>nsenter --net=...</c> does not.
/// </para>
/// </remarks>
internal sealed class Interposer : IDisposable
{
    private readonly string _runDirectory;
    private readonly List<(TapDevice Tap, PacketSocket Wire)> _links = [];
    private bool _stopped;

    private Interposer(string runDirectory, InterpositionRecord record)
    {
        _runDirectory = runDirectory;
        Record = record;
    }

    /// <summary>The namespace, fail mode and the interfaces' original configuration.</summary>
    public InterpositionRecord Record { get; set; }

    /// <summary>For each managed interface: the TAP twin in the host namespace and the packet socket on the real interface.</summary>
    public IReadOnlyList<(TapDevice Tap, PacketSocket Wire)> Links => _links;

    /// <summary>Interposes on <paramref name="interfaces"/>; messages about what it did go to <paramref name="log"/>.</summary>
    public static Interposer Start(IReadOnlyList<string> interfaces, FailMode mode, string runDirectory, TextWriter log)
    {
        HostDescription? adopted = null;
        string? name = null;
        if (InterpositionRecord.Load(runDirectory) is { } previous)
        {
            bool same = previous.Interfaces.Interfaces.Select(i => i.Name).SequenceEqual(interfaces)
                && interfaces.All(i => IpTool.Run("-n", previous.Namespace, "link", "show", "dev", i).ExitCode == 0);
            if (same)
            {
                log.Write($"sekisho daemon: adopting {string.Join(", ", interfaces)} in namespace {previous.Namespace}\n");
                adopted = previous.Interfaces;
                name = previous.Namespace;
            }
            else
            {
                log.Write($"sekisho daemon: restoring the interfaces a previous daemon left in {previous.Namespace}\n");
                Restore(previous, runDirectory, log);
            }
        }

        var description = adopted ?? HostQuery.Describe(interfaces);
        name ??= NamespaceName();
        var record = new InterpositionRecord(name, mode, description);
        record.Save(runDirectory);
        var interposer = new Interposer(runDirectory, record);
        try
        {
            if (adopted is null)
            {
                var (code, _, error) = IpTool.Run("netns", "add", name);
                if (code != 0 && !error.Contains("File exists", StringComparison.Ordinal))
                {
                    throw new IOException($"ip netns add {name}: {error.Trim()}");
                }

                foreach (string iface in interfaces)
                {
                    IpTool.Check("link", "set", "dev", iface, "netns", name);
                    IpTool.Check("-n", name, "link", "set", "dev", iface, "addrgenmode", "none");
                    IpTool.Check("-n", name, "link", "set", "dev", iface, "up");
                }
            }

            foreach (string iface in interfaces)
            {
                var tap = TapDevice.Create(iface);
                PacketSocket wire;
                try
                {
                    foreach (var command in HostQuery.ConfigureCommands(description, iface))
                    {
                        IpTool.Check(command);
                    }

                    wire = NamespaceEntry.Run($"/run/netns/{name}", () => PacketSocket.Open(iface));
                }
                catch
                {
                    tap.Dispose();
                    throw;
                }

                interposer._links.Add((tap, wire));
            }

            return interposer;
        }
        catch
        {
            interposer.Stop(FailMode.Open, log);
            throw;
        }
    }

    /// <summary>Undoes what a daemon left (after a crash): with fail open, the interfaces go back to the host.</summary>
    /// <returns>What was done, for the journal.</returns>
    public static string Cleanup(string runDirectory, TextWriter log)
    {
        var record = InterpositionRecord.Load(runDirectory);
        if (record is null)
        {
            return "nothing to clean up";
        }

        if (record.Mode == FailMode.Closed)
        {
            return $"fail closed: {string.Join(", ", record.Interfaces.Interfaces.Select(i => i.Name))} stay in namespace {record.Namespace}";
        }

        Restore(record, runDirectory, log);
        return $"fail open: {string.Join(", ", record.Interfaces.Interfaces.Select(i => i.Name))} back in the host namespace";
    }

    /// <summary>Closes the devices and applies <paramref name="mode"/>.</summary>
    public void Stop(FailMode mode, TextWriter log)
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var (tap, wire) in _links)
        {
            wire.Dispose();
            tap.Dispose();
        }

        _links.Clear();
        if (mode == FailMode.Open)
        {
            Restore(Record, _runDirectory, log);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Stop(Record.Mode, TextWriter.Null);

    // The interfaces go back with their configuration, the namespace is deleted, the record removed. Each step is
    // attempted whatever failed before it, so that as much as possible is back.
    private static void Restore(InterpositionRecord record, string runDirectory, TextWriter log)
    {
        string pid = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var iface in record.Interfaces.Interfaces)
        {
            if (IpTool.Run("-n", record.Namespace, "link", "show", "dev", iface.Name).ExitCode != 0)
            {
                continue;
            }

            // The TAP twin of the same name goes away when its descriptor closes; wait for the name to be free.
            var deadline = DateTime.UtcNow.AddSeconds(5);
            while (IpTool.Run("link", "show", "dev", iface.Name).ExitCode == 0 && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }

            Report(log, IpTool.Run("-n", record.Namespace, "link", "set", "dev", iface.Name, "netns", pid), "move back " + iface.Name);
            Report(log, IpTool.Run("link", "set", "dev", iface.Name, "addrgenmode", "eui64"), "addrgenmode " + iface.Name);
            foreach (var command in HostQuery.ConfigureCommands(record.Interfaces, iface.Name))
            {
                Report(log, IpTool.Run(command), string.Join(' ', command));
            }
        }

        Report(log, IpTool.Run("netns", "del", record.Namespace), "netns del " + record.Namespace);
        InterpositionRecord.Delete(runDirectory);
    }

    private static void Report(TextWriter log, (int ExitCode, string Stdout, string Stderr) result, string what)
    {
        if (result.ExitCode != 0)
        {
            log.Write($"sekisho daemon: ip {what}: {result.Stderr.Trim()}\n");
        }
    }

    // One name per host namespace (its inode number), so that daemons of different namespaces never meet.
    private static string NamespaceName()
    {
        string target = new FileInfo("/proc/self/ns/net").LinkTarget ?? "net:[0]";
        int open = target.IndexOf('[', StringComparison.Ordinal);
        return "sekisho-" + (open >= 0 ? target[(open + 1)..].TrimEnd(']') : "0");
    }
}
