using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Extensions.Targets;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>The table's part in NAT: tuples taken, the source-mapping index, masqueraded connections.</summary>
public sealed partial class ConntrackTable
{
    // nf_nat_bysource: source-translated connections by their original source (address, port, protocol), newest
    // first, so that a source keeps its mapping across connections (find_appropriate_src).
    private readonly Dictionary<(uint Address, ushort Port, byte Protocol), List<Connection>> _bySource = [];

    /// <summary>
    /// Whether a tuple belongs to a live connection other than <paramref name="ignored"/> (<c>nf_conntrack_tuple_taken</c>);
    /// a connection with the same original tuple is the same flow and does not count.
    /// </summary>
    public bool TupleTaken(in ConntrackTuple tuple, Connection ignored)
    {
        var zone = new ConntrackZone(ignored.Zone, ignored.ZoneDirections);
        var ct = Find(tuple, zone, out _);
        if (ct is null || ReferenceEquals(ct, ignored))
        {
            return false;
        }

        return !(ct.Original == ignored.Original && ct.ZoneId(CtDirection.Original) == ignored.ZoneId(CtDirection.Original));
    }

    /// <summary>Records a connection's source mapping (the <c>nat_bysource</c> insertion of <c>nf_nat_setup_info</c>).</summary>
    internal void AddBySource(Connection ct)
    {
        var original = ct.Original;
        var key = (original.Source.Value, original.SourcePort, original.Protocol);
        if (!_bySource.TryGetValue(key, out var list))
        {
            list = [];
            _bySource.Add(key, list);
        }

        list.Insert(0, ct);
    }

    private void RemoveBySource(Connection ct)
    {
        if ((ct.Status & ConnectionStatus.SourceNatDone) == 0)
        {
            return;
        }

        var original = ct.Original;
        var key = (original.Source.Value, original.SourcePort, original.Protocol);
        if (_bySource.TryGetValue(key, out var list))
        {
            list.Remove(ct);
            if (list.Count == 0)
            {
                _bySource.Remove(key);
            }
        }
    }

    /// <summary>
    /// <c>find_appropriate_src</c>: the source another connection from the same address and port got, when it is in
    /// the range; <paramref name="result"/> is <paramref name="tuple"/> with that source.
    /// </summary>
    internal bool FindAppropriateSource(in ConntrackTuple tuple, in NatRange range, Connection self, out ConntrackTuple result)
    {
        result = default;
        if (!_bySource.TryGetValue((tuple.Source.Value, tuple.SourcePort, tuple.Protocol), out var list))
        {
            return false;
        }

        uint now = Now32;
        for (int i = 0; i < list.Count; i++)
        {
            var ct = list[i];
            if (ReferenceEquals(ct, self) || (ct.Status & ConnectionStatus.Dying) != 0 || !ct.IsConfirmed || IsExpired(ct, now)
                || ct.ZoneId(CtDirection.Original) != self.ZoneId(CtDirection.Original))
            {
                continue;
            }

            TryInvert(ct.Reply, out var inverse);
            result = new ConntrackTuple(inverse.Source, tuple.Destination, tuple.Protocol, inverse.SourcePort, tuple.DestinationPort);
            if (NatCore.InRange(result, range))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Kills the masqueraded connections of a device whose address went away (<c>masq_inet_event</c>): those that
    /// took their address from the device and whose reply goes to the removed address.
    /// </summary>
    public void KillMasqueraded(NetDevice device, Ipv4Address? address)
    {
        foreach (var ct in Snapshot())
        {
            if (ct.MasqueradeIndex != 0 && ct.MasqueradeIndex == device.Index
                && (address is null || ct.Reply.Destination == address.Value))
            {
                Kill(ct);
            }
        }
    }
}
