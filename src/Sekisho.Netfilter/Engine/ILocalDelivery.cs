namespace Sekisho.Netfilter.Engine;

/// <summary>Takes the datagrams INPUT accepted, in place of <see cref="LocalStack"/> (the live daemon's real host stack).</summary>
/// <remarks>
/// <c>ip_local_deliver_finish</c> hands the datagram to the protocol handlers of the host; in live mode those are the
/// real kernel's, behind a TAP device, so the datagram (with the link-layer header it was received with) is written
/// there and the host answers for itself.
/// </remarks>
public interface ILocalDelivery
{
    /// <summary>A datagram INPUT accepted; <see cref="Packet.InDevice"/> is the device it was received on.</summary>
    void Deliver(Packet packet);
}
