namespace Sekisho.Netfilter.Engine;

/// <summary>Takes the frames that leave the host: to a TUN/TAP device, a capture file, a test.</summary>
public interface IPacketTransmitter
{
    /// <summary>A frame leaves through <paramref name="device"/>; <paramref name="frame"/> holds the link-layer header the device uses, then the datagram.</summary>
    void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame);
}
