using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>A host under test, real (the kernel in a network namespace) or Sekisho's, driven the same way.</summary>
public interface IPacketLab : IDisposable
{
    /// <summary>"kernel" or "sekisho", for messages.</summary>
    string Name { get; }

    /// <summary>The host description.</summary>
    LabHost Host { get; }

    /// <summary>Receives a frame on an interface and processes it completely (replies included) before returning.</summary>
    void Inject(string interfaceName, byte[] frame);

    /// <summary>
    /// Sends a whole IPv4 datagram as a process of the host would (<c>ip_local_out</c>: OUTPUT, POSTROUTING) from a
    /// socket <paramref name="sender"/> owns, and processes it completely before returning.
    /// </summary>
    void Send(byte[] datagram, LabSender sender);

    /// <summary>
    /// Sends a UDP payload from a socket bound to <paramref name="source"/>:<paramref name="sourcePort"/> that
    /// <paramref name="sender"/> owns, as the kernel's UDP builds it: TTL 64, TOS 0, DF, identification 0.
    /// </summary>
    void SendUdp(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, byte[] payload, LabSender sender);

    /// <summary>The IPv4 frames the host sent since the last call, in order.</summary>
    List<LabFrame> TakeFrames();

    /// <summary>The LOG messages written since the last call: syslog level and text.</summary>
    List<(int Level, string Message)> TakeLog();

    /// <summary>Runs iptables, iptables-save or iptables-restore on the host.</summary>
    ToolResult Tool(string commandLine, string? stdin = null);

    /// <summary>The output of <c>conntrack -L</c> (standard output only).</summary>
    string Conntrack();
}
