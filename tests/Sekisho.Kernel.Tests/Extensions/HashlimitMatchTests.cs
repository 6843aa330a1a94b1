using Sekisho.TestSupport;

namespace Sekisho.Kernel.Tests.Extensions;

/// <summary>
/// The hashlimit match: packet and byte rates, modes, masks, table options, rate-match, the kernel's refusals,
/// its size caps and its named tables, listings.
/// </summary>
[Collection(KernelLogCollection.Name)]
public sealed class HashlimitMatchTests
{
    [KernelFact]
    public void Hashlimit_PacketRates_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a -j ACCEPT
            iptables -A INPUT -m hashlimit --hashlimit-above 1/min --hashlimit-burst 5 --hashlimit-name b
            iptables -A INPUT -m hashlimit ! --hashlimit-above 3/hour --hashlimit-name c --hashlimit-mode srcip,dstport|srcport,dstip
            iptables -A INPUT -m hashlimit ! --hashlimit-upto 1/day --hashlimit-name c1 --hashlimit-burst 1
            iptables -A INPUT -m hashlimit --hashlimit 7/s --hashlimit-name d --hashlimit-srcmask 24 --hashlimit-dstmask 255.255.0.0
            iptables -A INPUT -m hashlimit --hashlimit-upto 60/min --hashlimit-name e --hashlimit-htable-size 10 --hashlimit-htable-max 20 --hashlimit-htable-gcinterval 500 --hashlimit-htable-expire 100
            iptables -A INPUT -m hashlimit --hashlimit-upto 1000000/sec --hashlimit-burst 1000000 --hashlimit-name f
            iptables -A INPUT -m hashlimit --hashlimit-upto 13/minute --hashlimit-name g --hashlimit-mode dstport
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name h --hashlimit-rate-interval 5
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name i --hashlimit-burst 7x
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name j --hashlimit-srcmask 0 --hashlimit-dstmask 32
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name mini --hashlimit-htable-expire 1000
            iptables -C INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-burst 5 -j ACCEPT
            iptables -C INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name h --hashlimit-rate-interval 5
            iptables -C INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name h
            iptables -D INPUT -m hashlimit --hashlimit-above 60/hour --hashlimit-name b
            iptables -m hashlimit -h
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Hashlimit_ByteRatesAndRateMatch_ListAndSaveLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name f
            iptables -A INPUT -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name g
            iptables -A INPUT -m hashlimit --hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name h
            iptables -A INPUT -m hashlimit --hashlimit-above 512b/s --hashlimit-burst 100000 --hashlimit-name h2
            iptables -A INPUT -m hashlimit --hashlimit-upto 40/sec --hashlimit-burst 20 --hashlimit-mode srcip --hashlimit-name k --hashlimit-rate-match
            iptables -A INPUT -m hashlimit --hashlimit-upto 40/min --hashlimit-name l --hashlimit-rate-match
            iptables -A INPUT -m hashlimit --hashlimit-upto 40mb/s --hashlimit-name m --hashlimit-rate-match --hashlimit-rate-interval 10
            iptables -A INPUT -m hashlimit --hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate2 --hashlimit-rate-match
            iptables -A INPUT -m hashlimit --hashlimit-upto 1500/min --hashlimit-name n --hashlimit-rate-match
            iptables -A INPUT -m hashlimit --hashlimit-upto 3/hour --hashlimit-name o --hashlimit-rate-match --hashlimit-rate-interval 1
            iptables -A INPUT -m hashlimit --hashlimit-upto 1kb/s --hashlimit-name x --hashlimit-burst 7
            iptables -C INPUT -m hashlimit --hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name f
            iptables -C INPUT -m hashlimit --hashlimit-upto 40/min --hashlimit-name l --hashlimit-rate-match
            iptables -C INPUT -m hashlimit --hashlimit-upto 40/sec --hashlimit-name l --hashlimit-rate-match --hashlimit-rate-interval 60
            iptables -D INPUT -m hashlimit --hashlimit-upto 10mb/s --hashlimit-name g
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Hashlimit_BadValues_RefusedLikeKernel()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m hashlimit --hashlimit-upto 1000001/sec --hashlimit-name o
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec
            iptables -A INPUT -m hashlimit --hashlimit-name x
            iptables -A INPUT -m hashlimit
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-above 1/sec --hashlimit-name x
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit 1/sec --hashlimit-name x
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/week --hashlimit-name x
            iptables -A INPUT -m hashlimit --hashlimit-above foo --hashlimit-name x
            iptables -A INPUT -m hashlimit --hashlimit-upto 0/sec --hashlimit-name x
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-mode none
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-mode srcip,,dstip
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-burst 0
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-burst 1000001
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-burst 2000k
            iptables -A INPUT -m hashlimit --hashlimit-upto 1kb/s --hashlimit-name x --hashlimit-burst 7b
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-rate-interval 0
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 33
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 255.0.255.0
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x --hashlimit-dstmask foo
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name q --hashlimit-htable-expire 0
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name q --hashlimit-htable-gcinterval 0
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name .
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a/b
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name ""
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name x ! --hashlimit-rate-match
            """);
        diff.StepKernelLog("iptables -A INPUT -m hashlimit --hashlimit-upto 1/day --hashlimit-name c2");
        diff.StepKernelLog("iptables -A INPUT -m hashlimit --hashlimit-upto 40000mb/s --hashlimit-name j");
        diff.StepKernelLog("iptables -A INPUT -m hashlimit --hashlimit-upto 10000000/day --hashlimit-name n --hashlimit-rate-match");
        diff.CompareListings();
    }

    [KernelFact]
    public void Hashlimit_KernelCapsSizes_AndListsTheCappedValues()
    {
        using var diff = new Differential();
        diff.StepKernelLog("iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name p --hashlimit-htable-size 2000000 --hashlimit-htable-max 3000000");
        diff.Steps("""
            iptables -C INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name p --hashlimit-htable-size 2000000 --hashlimit-htable-max 3000000
            iptables -C INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name p --hashlimit-htable-size 1048576 --hashlimit-htable-max 1048576
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name p2 --hashlimit-htable-max 1048576
            """);
        diff.CompareListings();
    }

    [KernelFact]
    public void Hashlimit_NamedTables_KeepTheirRateMatchSettingAcrossTables()
    {
        using var diff = new Differential();
        diff.Steps("""
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-rate-match
            iptables -t mangle -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-rate-match
            iptables -t mangle -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name b --hashlimit-rate-match
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name b
            iptables -R INPUT 1 -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-rate-match
            iptables -D INPUT 1
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name a --hashlimit-rate-match
            iptables -t mangle -F
            iptables -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name b
            """);
        diff.Step("iptables-restore --noflush", """
            *filter
            -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name z
            -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name z --hashlimit-rate-match
            COMMIT

            """);
        diff.Step("iptables-restore --noflush", """
            *filter
            -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name z --hashlimit-rate-match
            -A INPUT -m hashlimit --hashlimit-upto 1/sec --hashlimit-name z
            COMMIT

            """);
        diff.CompareListings("filter", "mangle");
    }
}
