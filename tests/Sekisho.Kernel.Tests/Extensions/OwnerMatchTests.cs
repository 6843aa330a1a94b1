using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The owner match: users and groups by name, number and range, socket existence, hooks, listings.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class OwnerMatchTests
{
    [KernelFact]
    public void Owner_Options_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A OUTPUT -m owner --uid-owner 0 -j ACCEPT
            iptables -t mangle -A OUTPUT -m owner --uid-owner root
            iptables -t mangle -A OUTPUT -m owner ! --uid-owner 0-10
            iptables -t mangle -A OUTPUT -m owner --uid-owner 1:2
            iptables -t mangle -A OUTPUT -m owner --uid-owner 4294967294
            iptables -t mangle -A OUTPUT -m owner --uid-owner 65534
            iptables -t mangle -A OUTPUT -m owner --uid-owner 0x10
            iptables -t mangle -A OUTPUT -m owner --gid-owner 65534 --suppl-groups
            iptables -t mangle -A OUTPUT -m owner --gid-owner daemon
            iptables -t mangle -A OUTPUT -m owner ! --gid-owner 5-9
            iptables -t mangle -A POSTROUTING -m owner --socket-exists
            iptables -t mangle -A POSTROUTING -m owner ! --socket-exists --uid-owner 1 --gid-owner 1
            iptables -A OUTPUT -m owner --uid-owner 3333
            iptables -t mangle -C OUTPUT -m owner --uid-owner 0 -j ACCEPT
            iptables -t mangle -C OUTPUT -m owner --gid-owner 65534 --suppl-groups
            iptables -t mangle -C OUTPUT -m owner --gid-owner 65534
            iptables -t mangle -D OUTPUT -m owner --uid-owner root
            iptables -m owner -h
            """);
        diff.CompareListings("mangle", "filter");
    }

    [KernelFact]
    public void Owner_BadValuesAndHooks_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A OUTPUT -m owner --uid-owner 10-5
            iptables -A OUTPUT -m owner --gid-owner 7:6
            iptables -A OUTPUT -m owner --uid-owner 4294967295
            iptables -A OUTPUT -m owner --uid-owner nosuchuser
            iptables -A OUTPUT -m owner --uid-owner 1-
            iptables -A OUTPUT -m owner --uid-owner 1x
            iptables -A OUTPUT -m owner --uid-owner -1
            iptables -A OUTPUT -m owner --gid-owner nosuchgroup
            iptables -A OUTPUT -m owner --suppl-groups
            iptables -A OUTPUT -m owner --suppl-groups --gid-owner 1
            iptables -A OUTPUT -m owner --gid-owner 1 ! --suppl-groups
            iptables -A OUTPUT -m owner
            iptables -A OUTPUT -m owner --uid-owner 0 --uid-owner 1
            iptables -N own
            iptables -A own -m owner --uid-owner 0
            """);
        diff.StepKernelLog("iptables -A INPUT -m owner --uid-owner 0");
        diff.StepKernelLog("iptables -t mangle -A PREROUTING -m owner --socket-exists");
        diff.StepKernelLog("iptables -A FORWARD -j own");
        diff.Step("iptables -A OUTPUT -j own");
        diff.CompareListings();
    }
}
