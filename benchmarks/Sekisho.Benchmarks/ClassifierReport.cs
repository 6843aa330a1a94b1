using System.Diagnostics;
using System.Globalization;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;

namespace Sekisho.Benchmarks;

/// <summary>
/// <c>--classifier-report</c>: one timed pass over every ClassBench set, printed as the README's table (lookup and
/// engine Mpps with the linear baselines, build time, update time, memory). A development tool beside the
/// BenchmarkDotNet classes (<see cref="ClassifierBenchmarks"/>), which give the statistically sound numbers.
/// </summary>
internal static class ClassifierReport
{
    private static readonly string[] s_sets =
        ["acl1_1k", "fw1_1k", "ipc1_1k", "acl1_10k", "fw1_10k", "ipc1_10k", "acl1_100k", "fw1_100k", "ipc1_100k"];

    public static int Run(IReadOnlyList<string> sets)
    {
        Console.WriteLine("| set | rules | tables | memory | build | insert+delete | lookup | lookup (linear) | engine | engine (linear) | speed-up |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (string name in sets.Count > 0 ? sets : s_sets)
        {
            var set = ClassBenchSet.Load(name);
            var traffic = set.Traffic(65536, 7);
            double build = double.MaxValue;
            TupleClassifier classifier = null!;
            for (int i = 0; i < 3; i++)
            {
                var stopwatch = Stopwatch.StartNew();
                classifier = TupleClassifier.Build(set.Boxes);
                build = Math.Min(build, stopwatch.Elapsed.TotalMilliseconds);
            }

            Verify(name, set, classifier, traffic);
            double lookup = Rate(() => Pass(classifier, traffic));
            int linearCount = set.Boxes.Length > 20_000 ? 0 : 4096;
            double linearLookup = linearCount == 0 ? double.NaN : Rate(() =>
            {
                int sum = 0;
                for (int i = 0; i < linearCount; i++)
                {
                    sum += set.LinearFirstMatch(traffic[i]);
                }

                return linearCount + (sum & 0);
            });
            double update = UpdateNanoseconds(set);
            var datagrams = traffic.Take(16384).Select(k => ClassBenchSet.Datagram(k)).ToArray();
            var engine = new ClassBenchEngine(set.FilterTable(), ClassifierMode.Auto, datagrams);
            double run = Rate(() => (int)(engine.Run(Hook.Forward, engine.Count) & 0) + engine.Count);
            double linearRun = double.NaN;
            if (linearCount != 0)
            {
                var linear = new ClassBenchEngine(set.FilterTable(), ClassifierMode.Linear, datagrams.Take(2048));
                linearRun = Rate(() => (int)(linear.Run(Hook.Forward, linear.Count) & 0) + linear.Count);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {set.Boxes.Length} | {classifier.TableCount} | {classifier.MemoryBytes / 1e6:F1} MB | {build:F0} ms | " +
                $"{update:F0} ns | {lookup / 1e6:F1} Mpps | {Mpps(linearLookup)} | {run / 1e6:F2} Mpps | {Mpps(linearRun)} | " +
                $"{(double.IsNaN(linearRun) ? "-" : (run / linearRun).ToString("F0", CultureInfo.InvariantCulture) + "x")} |"));
        }

        // The engine's fixed cost per packet: the same kind of traffic through a FORWARD chain of one rule that takes it all.
        var one = ClassBenchSet.Load("acl1_1k");
        var trivial = new ClassBenchEngine("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n",
            ClassifierMode.Linear, one.Traffic(16384, 7).Select(k => ClassBenchSet.Datagram(k)));
        double fixedRate = Rate(() => (int)(trivial.Run(Hook.Forward, trivial.Count) & 0) + trivial.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"\nThe engine with a FORWARD chain of one rule (its fixed cost per packet): {fixedRate / 1e6:F2} Mpps, {1e9 / fixedRate:F0} ns."));

        // Where the classifier starts to pay: short chains (the first rules of fw1_1k), linear walk against classifier.
        Console.WriteLine("\n| chain length | linear | classifier |\n| ---: | ---: | ---: |");
        foreach (int length in new[] { 4, 8, 16, 32, 64 })
        {
            var part = ClassBenchSet.Load("fw1_1k").Take(length);
            var packets = part.Traffic(16384, 7).Select(k => ClassBenchSet.Datagram(k)).ToArray();
            var linearShort = new ClassBenchEngine(part.FilterTable(), ClassifierMode.Linear, packets);
            var classifiedShort = new ClassBenchEngine(part.FilterTable(), ClassifierMode.Always, packets);
            double slow = Rate(() => (int)(linearShort.Run(Hook.Forward, linearShort.Count) & 0) + linearShort.Count);
            double fast = Rate(() => (int)(classifiedShort.Run(Hook.Forward, classifiedShort.Count) & 0) + classifiedShort.Count);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {length} | {slow / 1e6:F1} Mpps | {fast / 1e6:F1} Mpps |"));
        }

        Console.WriteLine();
        Console.WriteLine("| kube-proxy nat table, new connections | rules | classifier | linear | speed-up |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (int services in new[] { 1_000, 5_000 })
        {
            var rules = new KubeProxyRuleset(services, 5);
            var classified = new ClassBenchEngine(rules.Text, ClassifierMode.Auto, rules.Connections(1024, 9));
            var linear = new ClassBenchEngine(rules.Text, ClassifierMode.Linear, rules.Connections(1024, 9));
            double fast = Rate(() => (int)(classified.RunNew(Hook.PreRouting) & 0) + classified.Count);
            double slow = Rate(() => (int)(linear.RunNew(Hook.PreRouting) & 0) + linear.Count);
            int count = classified.Net.Tables["nat"].Entries.Count;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {services} Services | {count} | {fast / 1e6:F2} Mpps | {Mpps(slow)} | {fast / slow:F0}x |"));
        }

        return 0;
    }

    /// <summary>
    /// <c>--classifier-lookup</c>: the classifier's columns alone (build, lookup checked against the brute force, insert and delete), quick enough
    /// to alternate old and new builds in A/B runs; with <c>--profile</c>, the tables and probes per lookup too.
    /// </summary>
    public static int RunLookup(IReadOnlyList<string> sets)
    {
        bool profile = sets.Contains("--profile");
        sets = [.. sets.Where(s => s != "--profile")];
        foreach (string name in sets.Count > 0 ? sets : s_sets)
        {
            var set = ClassBenchSet.Load(name);
            var traffic = set.Traffic(65536, 7);
            var stopwatch = Stopwatch.StartNew();
            var classifier = TupleClassifier.Build(set.Boxes);
            double build = stopwatch.Elapsed.TotalMilliseconds;
            Verify(name, set, classifier, traffic);
            if (profile)
            {
                Console.WriteLine(classifier.Profile(traffic));
            }

            double lookup = Rate(() => Pass(classifier, traffic));
            double update = UpdateNanoseconds(set);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {classifier.TableCount} tables, {classifier.MemoryBytes / 1e6:F1} MB, build {build:F0} ms, lookup {lookup / 1e6:F1} Mpps, insert+delete {update:F0} ns"));
        }

        return 0;
    }

    private static void Verify(string name, ClassBenchSet set, TupleClassifier classifier, PacketKey[] traffic)
    {
        int wrong = 0;
        for (int i = 0; i < 2000; i++)
        {
            wrong += classifier.FirstCandidate(traffic[i], 0) == set.LinearFirstMatch(traffic[i]) ? 0 : 1;
        }

        if (wrong != 0)
        {
            throw new InvalidOperationException($"{name}: {wrong} of 2000 lookups differ from the linear first match.");
        }
    }

    private static int Pass(TupleClassifier classifier, PacketKey[] traffic)
    {
        int sum = 0;
        foreach (var key in traffic)
        {
            sum += classifier.FirstCandidate(key, 0);
        }

        return traffic.Length + (sum & 0);
    }

    /// <summary>The mean time of one insert plus one delete of a rule of the set into the built classifier (gapped priorities).</summary>
    internal static double UpdateNanoseconds(ClassBenchSet set)
    {
        var gapped = set.Boxes.Select(b => b with { Priority = b.Priority * 1024 }).ToArray();
        var classifier = TupleClassifier.Build(gapped);
        var random = new Random(3);
        var extra = Enumerable.Range(0, 4096).Select(i =>
        {
            var box = set.Boxes[random.Next(set.Boxes.Length)];
            box.Priority = random.Next(set.Boxes.Length) * 1024 + 512;
            return box;
        }).DistinctBy(b => b.Priority).ToArray();
        var stopwatch = Stopwatch.StartNew();
        long operations = 0;
        while (stopwatch.ElapsedMilliseconds < 500)
        {
            foreach (var box in extra)
            {
                classifier.Insert(box);
            }

            foreach (var box in extra)
            {
                classifier.Remove(box);
            }

            operations += extra.Length;
        }

        return stopwatch.Elapsed.TotalMilliseconds * 1e6 / operations;
    }

    private static string Mpps(double rate) =>
        double.IsNaN(rate) ? "-" : (rate / 1e6).ToString(rate < 1e5 ? "F4" : "F2", CultureInfo.InvariantCulture) + " Mpps";

    // Packets per second of CPU time of a pass that returns its packet count: the best of five windows of about
    // 200 ms of CPU time each, after a warm-up. CPU time and the best window, because the machine is shared (other
    // processes take the core, and the caches, for a while) and the goals are per core.
    private static double Rate(Func<int> pass)
    {
        // The earlier sets' garbage is collected first: a background collection still marking it would count its
        // CPU time against the pass (process CPU time includes the collector's threads).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        pass();
        var process = Process.GetCurrentProcess();
        double best = 0;
        for (int window = 0; window < 5; window++)
        {
            process.Refresh();
            var start = process.TotalProcessorTime;
            var used = TimeSpan.Zero;
            long packets = 0;
            while (used.TotalMilliseconds < 200)
            {
                packets += pass();
                process.Refresh();
                used = process.TotalProcessorTime - start;
            }

            best = Math.Max(best, packets / used.TotalSeconds);
        }

        return best;
    }
}
