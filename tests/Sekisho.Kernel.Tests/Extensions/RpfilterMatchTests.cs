using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>The rpfilter match: flags, and the kernel's PREROUTING-only and raw/mangle-only refusals.</summary>
[Collection(KernelLogCollection.Name)]
public sealed class RpfilterMatchTests
{
    [KernelFact]
    public void Rpfilter_Flags_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -t mangle -A PREROUTING -m rpfilter -j DROP
            iptables -t mangle -A PREROUTING -m rpfilter --loose --validmark --accept-local --invert
            iptables -t raw -A PREROUTING -m rpfilter --invert --loose
            iptables -t raw -A PREROUTING -m rpfilter --acc --val
            iptables -t raw -A PREROUTING -m rpfilter ! --loose
            iptables -t raw -A PREROUTING -m rpfilter --loose --loose
            iptables -t raw -A PREROUTING -m rpfilter --loose=1
            iptables -t mangle -N chk
            iptables -t mangle -A chk -m rpfilter
            iptables -t mangle -A PREROUTING -j chk
            iptables -t mangle -C PREROUTING -m rpfilter --invert --accept-local --validmark --loose
            iptables -t mangle -D PREROUTING -m rpfilter -j DROP
            iptables -m rpfilter -h
            """);
        diff.CompareListings("mangle", "raw");
    }

    [KernelFact]
    public void Rpfilter_WrongHookOrTable_RefusedWithKernelLog()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A INPUT -m rpfilter");
        diff.StepKernelLog("iptables -t raw -A OUTPUT -m rpfilter");
        diff.StepKernelLog("iptables -t nat -A PREROUTING -m rpfilter");
        diff.Steps("""
            iptables -N u
            iptables -A u -m rpfilter
            iptables -t mangle -N u
            iptables -t mangle -A u -m rpfilter --loose
            """);
        diff.StepKernelLog("iptables -t mangle -A OUTPUT -j u");
        diff.CompareListings("filter", "mangle", "nat");
    }
}
