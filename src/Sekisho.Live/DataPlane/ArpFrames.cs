using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.Live.DataPlane;

/// <summary>ARP over Ethernet (RFC 826): reading the sender of a frame, writing a request.</summary>
internal static class ArpFrames
{
    /// <summary>The length of an ARP frame for IPv4 over Ethernet (before padding).</summary>
    public const int Length = 42;

    /// <summary>The sender's IPv4 and MAC address of an ARP request or reply for IPv4 over Ethernet.</summary>
    public static bool TryReadSender(ReadOnlySpan<byte> frame, out Ipv4Address address, out MacAddress mac)
    {
        address = default;
        mac = default;
        if (frame.Length < Length || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0806
            || BinaryPrimitives.ReadUInt16BigEndian(frame[14..]) != 1 || BinaryPrimitives.ReadUInt16BigEndian(frame[16..]) != 0x0800
            || frame[18] != 6 || frame[19] != 4)
        {
            return false;
        }

        mac = MacAddress.Read(frame[22..]);
        address = Ipv4Address.Read(frame[28..]);
        return address.Value != 0 && !mac.IsMulticast && mac.Value != 0;
    }

    /// <summary>Writes a broadcast request "who has <paramref name="target"/>, tell <paramref name="sender"/>" into <paramref name="frame"/>.</summary>
    public static void WriteRequest(Span<byte> frame, MacAddress senderMac, Ipv4Address sender, Ipv4Address target)
    {
        frame[..Length].Clear();
        MacAddress.Broadcast.Write(frame);
        senderMac.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0806);
        BinaryPrimitives.WriteUInt16BigEndian(frame[14..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(frame[16..], 0x0800);
        frame[18] = 6;
        frame[19] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[20..], 1);
        senderMac.Write(frame[22..]);
        sender.Write(frame[28..]);
        target.Write(frame[38..]);
    }
}
