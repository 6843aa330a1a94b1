using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Engine;

/// <summary>What a match or target is given about the packet it looks at, and the kernel it runs in.</summary>
/// <remarks>
/// The kernel's <c>struct xt_action_param</c> with its <c>struct nf_hook_state</c>: the packet, the hook, the
/// devices, the fragment offset and transport header offset computed by <c>ipt_do_table</c>, and
/// <see cref="HotDrop"/>, which a match sets to have the packet dropped at once. One context exists per nesting
/// level of a namespace (a REJECT reply is processed while the packet that caused it still is), so none is
/// allocated per packet.
/// </remarks>
public sealed class PacketContext
{
    private int[] _jumpStack = new int[16];

    internal PacketContext(NetNamespace net)
    {
        Net = net;
    }

    /// <summary>The namespace the packet is processed in: host model, conntrack, clock, log.</summary>
    public NetNamespace Net { get; }

    /// <summary>The packet.</summary>
    public Packet Packet { get; internal set; } = null!;

    /// <summary>The hook being run.</summary>
    public Hook Hook { get; internal set; }

    /// <summary>The input device of the hook (<c>state-&gt;in</c>): set at PREROUTING, INPUT and FORWARD.</summary>
    public NetDevice? In { get; internal set; }

    /// <summary>The output device of the hook (<c>state-&gt;out</c>): set at FORWARD, OUTPUT and POSTROUTING.</summary>
    public NetDevice? Out { get; internal set; }

    /// <summary>The table being traversed, while one is.</summary>
    public CompiledTable? Table { get; internal set; }

    /// <summary>The fragment offset field of the IP header, in 8-byte units (<c>par-&gt;fragoff</c>); 0 for first fragments and whole datagrams.</summary>
    public int FragmentOffset { get; internal set; }

    /// <summary>The offset of the transport header from the network header (<c>par-&gt;thoff</c>).</summary>
    public int TransportOffset { get; internal set; }

    /// <summary>Set by a match to have the packet dropped immediately (<c>par-&gt;hotdrop</c>).</summary>
    public bool HotDrop { get; set; }

    /// <summary>The packet's bytes from the IP header on.</summary>
    public Span<byte> Data => Packet.Data;

    /// <summary>The current time of the namespace's clock.</summary>
    public DateTimeOffset Now => Net.Now;

    /// <summary>
    /// The bytes at <paramref name="offset"/> when the packet holds <paramref name="length"/> of them
    /// (<c>skb_header_pointer</c>); false when it is too short.
    /// </summary>
    public bool TryRead(int offset, int length, out ReadOnlySpan<byte> bytes)
    {
        var data = Packet.Data;
        if (offset < 0 || length < 0 || offset > data.Length - length)
        {
            bytes = default;
            return false;
        }

        bytes = data.Slice(offset, length);
        return true;
    }

    internal int[] JumpStack(int size)
    {
        if (_jumpStack.Length < size)
        {
            _jumpStack = new int[Math.Max(size, _jumpStack.Length * 2)];
        }

        return _jumpStack;
    }
}
