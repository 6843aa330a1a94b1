using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>The connection tracking table of a network namespace and its hook functions.</summary>
/// <remarks>
/// The kernel's <c>nf_conntrack</c>: <see cref="In"/> is <c>nf_conntrack_in</c> (PREROUTING and OUTPUT, priority
/// -200), <see cref="Confirm"/> is <c>nf_conntrack_confirm</c> (INPUT and POSTROUTING, last), <see cref="Defragment"/>
/// is <c>nf_defrag_ipv4</c> (PREROUTING and OUTPUT, priority -400).
/// </remarks>
public sealed class ConntrackTable
{
    /// <summary>Creates the table of a namespace.</summary>
    public ConntrackTable(NetNamespace net)
    {
        Net = net;
    }

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <summary>Reassembles fragments before conntrack sees them.</summary>
    /// <returns><see cref="NfVerdict.Accept"/> with a whole datagram in the packet, or <see cref="NfVerdict.Stolen"/> while fragments are held.</returns>
    public uint Defragment(PacketContext context)
    {
        // ipv4_conntrack_defrag: a packet already tracked (looped back) or untracked is left alone.
        var packet = context.Packet;
        if (packet.Conntrack is not null || packet.CtInfo == CtInfo.Untracked
            || (System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(packet.Data[6..]) & 0x3FFF) == 0)
        {
            return NfVerdict.Accept;
        }

        var user = context.Hook == Sekisho.Netfilter.Model.Hook.LocalOut ? DefragUser.ConntrackOut : DefragUser.ConntrackIn;
        return Net.Defragmenter.Defragment(packet, user) == DefragResult.Complete ? NfVerdict.Accept : NfVerdict.Stolen;
    }

    /// <summary>
    /// Reassembles a fragment on local delivery (<c>ip_defrag</c> in <c>ip_local_deliver</c>): false while the
    /// datagram is incomplete (the fragment is held); true with the whole datagram in the packet.
    /// </summary>
    public bool Reassemble(Packet packet) => Net.Defragmenter.Defragment(packet, DefragUser.LocalDeliver) == DefragResult.Complete;

    /// <summary>Attaches the packet to its connection, creating an unconfirmed one for a new flow.</summary>
    public uint In(PacketContext context) => NfVerdict.Accept;

    /// <summary>Puts a new connection into the table once its first packet leaves the host or is delivered.</summary>
    public uint Confirm(PacketContext context) => NfVerdict.Accept;

    /// <summary>Releases a dropped packet's reference: an unconfirmed connection dies with it.</summary>
    public void Release(Packet packet)
    {
        packet.Conntrack = null;
    }

    /// <summary>Writes the table's entries (with their remaining timeouts) so that <see cref="Load"/> restores them.</summary>
    public void Save(Stream stream)
    {
        _ = stream;
    }

    /// <summary>Replaces the table's entries by those <see cref="Save"/> wrote; a damaged stream throws <see cref="InvalidDataException"/> and leaves the table unchanged.</summary>
    public void Load(Stream stream)
    {
        _ = stream;
    }

    /// <summary>Writes the table as <c>conntrack -L</c> prints it (standard output only).</summary>
    public void WriteListing(TextWriter output)
    {
        _ = output;
    }
}
