using System.Globalization;
using Sekisho.Packets;
using Sekisho.TestSupport;
using Sekisho.TestSupport.Lab;
using Xunit.Abstractions;

namespace Sekisho.Kernel.Tests.Engine;

/// <summary>
/// The randomised differential test of the packet engine: random rulesets of several hundred rules over the
/// stateless matches (mangle PREROUTING and filter FORWARD with user chains, jumps, goto, RETURN and policies, a
/// few MARK and LOG rules), loaded into the kernel and Sekisho, then thousands of random frames (with fragments and
/// malformed transport headers) forwarded by both; the per-rule counters, the frames that come out and the LOG
/// lines must be identical.
/// </summary>
/// <remarks>
/// The seed is fixed and printed; set SEKISHO_RANDOM_SEED to reproduce another run.
/// </remarks>
[Collection(KernelLogCollection.Name)]
public sealed class RandomDifferentialTests(ITestOutputHelper output)
{
    [KernelFact]
    public void RandomRulesets_RandomTraffic_CountersAndFramesLikeKernel()
    {
        int seed = Environment.GetEnvironmentVariable("SEKISHO_RANDOM_SEED") is { } text
            ? int.Parse(text, CultureInfo.InvariantCulture)
            : 20261202;
        output.WriteLine($"seed {seed}");
        for (int round = 0; round < 2; round++)
        {
            int roundSeed = seed + round;
            var traffic = new RandomTraffic(roundSeed);
            string rules = traffic.Ruleset(mangleRules: 80, filterRules: 220);
            var host = LabHost.Router();
            using var lab = new LabPair(host, rules);
            lab.Sekisho.Net.Random = new Random(roundSeed);
            var frames = traffic.Frames(5000, (iface, datagram, mac) =>
                PacketBuilder.Ethernet(host.Interface(iface).Mac, mac, datagram));
            if (Environment.GetEnvironmentVariable("SEKISHO_RANDOM_BISECT") is not null)
            {
                // Finds the first frame after which the counters differ: chunks, then frame by frame.
                for (int start = 0; start < frames.Count; start += 100)
                {
                    var chunk = frames.Skip(start).Take(100).ToList();
                    lab.InjectMany(chunk, compareOutput: false);
                    lab.AssertCounters($"seed {roundSeed}, frames {start}..{start + chunk.Count - 1}: {string.Join(' ', chunk.Select(f => Convert.ToHexString(f.Frame)))}");
                }
            }

            lab.InjectMany(frames, step: $"seed {roundSeed}");
            string counters = lab.AssertCounters($"seed {roundSeed}");
            output.WriteLine($"seed {roundSeed}: {frames.Count} frames, {lab.LastFrames.Count} forwarded, {lab.LastLog.Count} LOG lines");

            // The rulesets must exercise the rules: most of them see packets.
            int matchedRules = counters.Split('\n').Count(l => l.StartsWith("[", StringComparison.Ordinal) && !l.StartsWith("[0:0]", StringComparison.Ordinal));
            output.WriteLine($"seed {roundSeed}: {matchedRules} rules matched some packet");
            Assert.True(matchedRules >= 30, $"only {matchedRules} of 300 rules matched packets");
        }
    }
}
