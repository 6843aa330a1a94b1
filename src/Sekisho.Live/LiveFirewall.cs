using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;

namespace Sekisho.Live;

/// <summary>
/// The running firewall of the daemon: the engine (one <see cref="NetNamespace"/>) and the gate that serialises
/// the packet path and changes to the ruleset.
/// </summary>
/// <remarks>
/// The data plane holds <see cref="Gate"/> while it runs a batch of packets through <see cref="Net"/>; the control
/// plane holds it while it installs a ruleset or reads the conntrack table. A change therefore takes effect between
/// two batches, never in the middle of a packet.
/// </remarks>
public sealed class LiveFirewall
{
    private readonly Lock _installing = new();
    private long _packets;
    private int _prepared;

    /// <summary>Creates the firewall around an engine and installs <paramref name="ruleset"/>.</summary>
    public LiveFirewall(NetNamespace net, Ruleset ruleset, TimeProvider? clock = null)
    {
        Net = net;
        StartedAt = (clock ?? TimeProvider.System).GetUtcNow();
        Install(ruleset);
    }

    /// <summary>The engine.</summary>
    public NetNamespace Net { get; }

    /// <summary>Held while packets run and while the ruleset changes.</summary>
    public Lock Gate { get; } = new();

    /// <summary>When the daemon started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Packets the data plane has run through the engine.</summary>
    public long PacketsSeen => Interlocked.Read(ref _packets);

    /// <summary>The ruleset the engine runs (its counter cells are the live counters).</summary>
    public Ruleset Ruleset => Net.Ruleset!;

    /// <summary>The data plane running packets through the engine, when one is attached.</summary>
    internal DataPlane.LiveDataPlane? DataPlane { get; set; }

    /// <summary>Counts <paramref name="count"/> packets seen by the data plane.</summary>
    public void CountPackets(int count) => Interlocked.Add(ref _packets, count);

    /// <summary>Rulesets compiled so far by <see cref="Install"/> (while packets kept flowing).</summary>
    public int Prepared => Volatile.Read(ref _prepared);

    /// <summary>
    /// Compiles <paramref name="ruleset"/> while packets still flow through the current one, then switches the
    /// engine over to it between two batches: the data plane waits only for the switch, not for the compilation
    /// (tens of milliseconds for 100,000 rules).
    /// </summary>
    public void Install(Ruleset ruleset)
    {
        lock (_installing)
        {
            var prepared = Net.Prepare(ruleset);
            Interlocked.Increment(ref _prepared);
            lock (Gate)
            {
                Net.Load(prepared);
            }
        }
    }
}
