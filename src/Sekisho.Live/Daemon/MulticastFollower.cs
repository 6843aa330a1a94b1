using Sekisho.Netfilter.Engine;
using Sekisho.Packets;

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
    private readonly Func<string> _read;
    private readonly Timer _timer;
    private readonly Lock _polling = new();
    private string _last = "";

    /// <summary>Applies the host's memberships now, then follows them every <paramref name="period"/>.</summary>
    public MulticastFollower(LiveFirewall firewall, IReadOnlyList<string> interfaces, TextWriter log, TimeSpan period, Func<string>? read = null)
    {
        _firewall = firewall;
        _interfaces = interfaces;
        _log = log;
        _read = read ?? (() => File.ReadAllText(IgmpTable.Path));
        Poll();
        _timer = new Timer(_ => Poll(), null, period, period);
    }

    /// <summary>Changes applied so far.</summary>
    public int Updates { get; private set; }

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
            text = _read();
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

                var joined = groups.TryGetValue(name, out var list) ? list : [];
                if (!joined.Where(g => g != NetDevice.AllHostsGroup).Order().SequenceEqual(device.MulticastGroups.Order()))
                {
                    host.SetMulticastGroups(device, joined);
                    applied.Add($"{name} {(device.MulticastGroups.Count == 0 ? "-" : string.Join(' ', device.MulticastGroups))}");
                }
            }
        }

        if (applied.Count > 0)
        {
            Updates++;
            _log.Write($"sekisho daemon: followed the host's multicast groups: {string.Join(", ", applied)}\n");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _timer.Dispose();
}
