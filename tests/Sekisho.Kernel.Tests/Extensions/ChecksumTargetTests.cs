using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The CHECKSUM target: its mandatory option, the mangle-only rule, -D/-C.</summary>
public sealed class ChecksumTargetTests
{
    [KernelFact]
    public void ChecksumTarget_ListSaveAndRefusals_LikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -j CHECKSUM --checksum-fill
            iptables -t mangle -A POSTROUTING -p udp -j CHECKSUM --checksum-fill
            iptables -t mangle -A OUTPUT ! -p udp -j CHECKSUM --checksum-fill
            iptables -t mangle -A FORWARD -j CHECKSUM --check
            iptables -t mangle -A FORWARD -j CHECKSUM
            iptables -t mangle -A FORWARD -j CHECKSUM --checksum-fill --checksum-fill
            iptables -t mangle -A FORWARD -j CHECKSUM ! --checksum-fill
            iptables -t mangle -A FORWARD -j CHECKSUM --checksum-fill 1
            iptables -t mangle -A FORWARD -j CHECKSUM -h
            iptables -A INPUT -j CHECKSUM --checksum-fill
            iptables -t raw -A OUTPUT -j CHECKSUM --checksum-fill
            iptables -t nat -A POSTROUTING -j CHECKSUM --checksum-fill
            iptables -t mangle -C PREROUTING -j CHECKSUM --checksum-fill
            iptables -t mangle -C FORWARD -j CHECKSUM --checksum-fill
            iptables -t mangle -D PREROUTING -j CHECKSUM --checksum-fill
            iptables -t mangle -D PREROUTING -j CHECKSUM --checksum-fill
            """);
        diff.CompareListings("mangle", "filter");
    }
}
