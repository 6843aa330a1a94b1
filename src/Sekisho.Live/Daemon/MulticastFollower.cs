
namespace Sekisho.Live.Daemon;

/// <summary>
/// Keeps the engine's multicast memberships equal to the host's: the groups the host's sockets joined on the TAP
/// twins (<c>/proc/net/igmp</c> of the host's namespace, which is the daemon's own) decide which multicast datagrams
/// from the wire go through INPUT to the host, as <c>ip_check_mc_rcu</c> decides in the kernel.
/// </summary>
/// <remarks>
/// Linux announces no membership changes on rtnetlink that <c>ip monitor</c> could follow, so the file is read once a
/// second: a group joined is honoured at most a second later (the host's own IGMP report takes as long to reach a
/// router). Per-source filters (IGMPv3 include/exclude lists) are the host kernel's to apply behind the TAP.
/// </remarks>
internal sealed class MulticastFollower : IDisposable
{
    private readonly LiveFirewall _firewall;
    private readonly IReadOnlyList<string> _interfaces;
    private readonly TextWriter _log;
    private readonly Timer _timer;
    private readonly Lock _polling = new();
    private string _last = "";

    /// <summary>Applies the host's memberships now, then follows them every <paramref name="period"/>.</summary>
    public MulticastFollower(LiveFirewall firewall, IReadOnlyList<string> interfaces, TextWriter log, TimeSpan period)
    {
        _firewall = firewall;
        _interfaces = interfaces;
        _log = log;
        Poll();
        _timer = new Timer(_ => Poll(), null, period, period);
    }

    /// <summary>Reads the memberships and applies them when they changed.</summary>
    public void Poll()
    {
        lock (_polling)
        {
            PollLocked();
        }
    }

    private void PollLocked()
    {
        string text;
        try
        {
            text = File.ReadAllText(IgmpTable.Path);
        }
        catch (IOException)
        {
            return;
        }

        if (text == _last)
        {
            return;
        }

        _last = text;
        var groups = IgmpTable.Parse(text);
        var host = _firewall.Net.Host;
        var applied = new List<string>();
        lock (_firewall.Gate)
        {
            foreach (string name in _interfaces)
            {
                if (host.FindDevice(name) is not { } device)
                {
                    continue;
                }

                if (host.SetMulticastGroups(device, groups.TryGetValue(name, out var joined) ? joined : []))
                {
                    applied.Add($"{name} {(device.MulticastGroups.Count == 0 ? "-" : string.Join(' ', device.MulticastGroups))}");
                }
            }
        }

        if (applied.Count > 0)
        {
            _log.Write($"sekisho daemon: followed the host's multicast groups: {string.Join(", ", applied)}\n");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
