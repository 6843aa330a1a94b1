namespace Sekisho.Netfilter.Conntrack;

/// <summary>A tracked connection.</summary>
/// <remarks>The kernel's <c>struct nf_conn</c>: status bits, mark, zone and the protocol's state.</remarks>
public sealed class Connection
{
    /// <summary>The status bits.</summary>
    public ConnectionStatus Status { get; set; }

    /// <summary>The connection mark (<c>ct-&gt;mark</c>), which CONNMARK and connmark use.</summary>
    public uint Mark { get; set; }

    /// <summary>The zone.</summary>
    public ushort Zone { get; set; }

    /// <summary>Whether the binding of one kind of NAT is set up (<c>nf_nat_initialized</c>).</summary>
    public bool NatInitialized(bool source) =>
        (Status & (source ? ConnectionStatus.SourceNatDone : ConnectionStatus.DestinationNatDone)) != 0;
}
