namespace Sekisho.Netfilter.Classifier;

/// <summary>The fields of a packet that the classifier indexes: the 5-tuple.</summary>
/// <remarks>
/// Ports are those of a TCP or UDP header; for other protocols they are 0, which no port criterion of a rule
/// needs, because a rule only has port criteria when its protocol is TCP or UDP.
/// </remarks>
/// <param name="Source">The source address, host order.</param>
/// <param name="Destination">The destination address, host order.</param>
/// <param name="Protocol">The IP protocol number.</param>
/// <param name="SourcePort">The TCP/UDP source port, or 0.</param>
/// <param name="DestinationPort">The TCP/UDP destination port, or 0.</param>
public readonly record struct PacketKey(uint Source, uint Destination, byte Protocol, ushort SourcePort, ushort DestinationPort);
