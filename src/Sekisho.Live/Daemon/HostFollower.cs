using System.Diagnostics;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Live.Daemon;

/// <summary>
/// Follows the host's changes to the managed interfaces' addresses and routes (<c>ip -o monitor address route</c>):
/// the engine's host model gets them between two batches, and the interposition record too, so that fail open gives
/// the interfaces back as the host last configured them.
/// </summary>
/// <remarks>
/// Events are read on a thread of their own; a burst of them (an address brings its connected and local routes) is
/// gathered for 100 ms, then the managed interfaces are described again and the differences applied under the gate.
/// </remarks>
internal sealed class HostFollower : IDisposable
{
    private readonly LiveFirewall _firewall;
    private readonly Interposer _interposer;
    private readonly string _runDirectory;
    private readonly TextWriter _log;
    private readonly Process _monitor;
    private readonly Thread _reader;
    private HostDescription _current;
    private volatile bool _disposed;

    /// <summary>Starts following; <paramref name="current"/> is what the host model holds now.</summary>
    public HostFollower(LiveFirewall firewall, Interposer interposer, HostDescription current, string runDirectory, TextWriter log)
    {
        _firewall = firewall;
        _interposer = interposer;
        _current = current;
        _runDirectory = runDirectory;
        _log = log;
        var info = new ProcessStartInfo(IpTool.Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-o", "-4", "monitor", "address", "route" })
        {
            info.ArgumentList.Add(arg);
        }

        _monitor = Process.Start(info) ?? throw new IOException("cannot run ip monitor");
        _reader = new Thread(Read) { IsBackground = true, Name = "sekisho-host-follower" };
        _reader.Start();
    }

    /// <summary>Changes applied so far.</summary>
    public int Updates { get; private set; }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        try
        {
            _monitor.Kill();
            _monitor.WaitForExit();
        }
        catch (InvalidOperationException)
        {
        }

        _reader.Join();
        _monitor.Dispose();
    }

    private void Read()
    {
        var lines = _monitor.StandardOutput;
        var next = lines.ReadLineAsync();
        while (next.Result is not null)
        {
            // Gather the rest of the burst, then apply it once.
            next = lines.ReadLineAsync();
            while (next.Wait(100))
            {
                if (next.Result is null)
                {
                    return;
                }

                next = lines.ReadLineAsync();
            }

            if (_disposed)
            {
                return;
            }

            Apply();
        }
    }

    private void Apply()
    {
        HostDescription described;
        try
        {
            described = HostQuery.Describe(_current.Interfaces.Select(i => i.Name).ToList());
        }
        catch (IOException ex)
        {
            _log.Write($"sekisho daemon: cannot read the host's configuration: {ex.Message}\n");
            return;
        }

        var host = _firewall.Net.Host;
        lock (_firewall.Gate)
        {
            foreach (var iface in described.Interfaces)
            {
                var device = host.FindDevice(iface.Name);
                var old = _current.Find(iface.Name);
                if (device is null || old is null)
                {
                    continue;
                }

                foreach (var (address, prefix) in old.Addresses.Except(iface.Addresses))
                {
                    host.RemoveAddress(device, address);
                }

                foreach (var (address, prefix) in iface.Addresses.Except(old.Addresses))
                {
                    host.AddAddress(device, address, prefix);
                }
            }

            foreach (var route in _current.Routes.Except(described.Routes))
            {
                host.RemoveRoute(ToRoute(route, host));
            }

            foreach (var route in described.Routes.Except(_current.Routes))
            {
                host.AddRoute(ToRoute(route, host));
            }

            host.Forwarding = described.Forwarding;
        }

        _current = described;
        Updates++;
        _interposer.Record = _interposer.Record with { Interfaces = described };
        _interposer.Record.Save(_runDirectory);
        _log.Write($"sekisho daemon: followed the host: {string.Join(", ", described.Interfaces.Select(i => $"{i.Name} {string.Join(' ', i.Addresses.Select(a => $"{a.Address}/{a.PrefixLength}"))}"))}\n");
    }

    private static Route ToRoute(HostRoute route, HostModel host) =>
        new(route.Destination, route.PrefixLength, RouteType.Unicast, host.FindDevice(route.Device), route.Gateway, route.Source);
}
