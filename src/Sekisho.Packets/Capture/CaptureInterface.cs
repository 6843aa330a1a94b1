namespace Sekisho.Packets.Capture;

/// <summary>An interface packets were captured on: a pcapng Interface Description Block, or the pcap file header.</summary>
/// <param name="Id">The interface's number in its section (0 for pcap files).</param>
/// <param name="LinkType">The link-layer header type of its packets.</param>
/// <param name="SnapLength">The snapshot length (0: no limit).</param>
/// <param name="Name">The interface name (<c>if_name</c>), when the capture records it.</param>
public sealed record CaptureInterface(int Id, CaptureLinkType LinkType, uint SnapLength, string? Name);
