using System.Diagnostics;
using System.Globalization;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Benchmarks;

/// <summary>
/// <c>--classifier-edit</c>: what one <c>-I</c> or <c>-D</c> costs the engine on a ClassBench FORWARD chain: the
/// time of <see cref="NetNamespace.Load"/> of the edited ruleset (compiling the table, taking over or updating the
/// classifiers), against loading the same ruleset with nothing to take over, and without classifiers at all (the
/// part of a load that is not the classifiers': compiling the entries and creating their matches' state). The
/// switch column is the part of the load after one -I that the daemon does while packets wait
/// (<see cref="NetNamespace.Load(PreparedRuleset)"/>; the compilation before it runs while they flow).
/// </summary>
internal static class ClassifierEditReport
{
    public static int Run(IReadOnlyList<string> sets)
    {
        Console.WriteLine("| set | rules | load without classifiers | load (nothing to take over) | load after one -I | load after one -D | of which the switch (-I) | classifiers after -I |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (string name in sets.Count > 0 ? sets : ["acl1_10k", "acl1_100k"])
        {
            var set = ClassBenchSet.Load(name);
            var net = new ClassBenchEngine(set.FilterTable(), ClassifierMode.Auto, []).Net;
            var store = new MemoryRulesetStore(net.Ruleset, validate: false);
            var linear = new List<double>();
            var full = new List<double>();
            var insert = new List<double>();
            var delete = new List<double>();
            var switches = new List<double>();
            var updates = default(ClassifierUpdates);
            string middle = (set.Boxes.Length / 2).ToString(CultureInfo.InvariantCulture);
            for (int round = 0; round < 7; round++)
            {
                var ruleset = store.Ruleset;
                net.Load(new Ruleset());
                net.ClassifierMode = ClassifierMode.Linear;
                linear.Add(Time(() => net.Load(ruleset)));
                net.ClassifierMode = ClassifierMode.Auto;
                net.Load(new Ruleset());
                full.Add(Time(() => net.Load(ruleset)));
                Edit(store, ["-I", "FORWARD", middle, "-s", "192.0.2.0/24", "-p", "tcp", "--dport", "80", "-j", "DROP"]);
                var prepared = default(PreparedRuleset);
                double compile = Time(() => prepared = net.Prepare(store.Ruleset));
                double switchTime = Time(() => net.Load(prepared!));
                insert.Add(compile + switchTime);
                switches.Add(switchTime);
                updates = net.Tables["filter"].ClassifierUpdates;
                Edit(store, ["-D", "FORWARD", middle]);
                delete.Add(Time(() => net.Load(store.Ruleset)));
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {set.Boxes.Length} | {Median(linear):F1} ms | {Median(full):F1} ms | {Median(insert):F1} ms | {Median(delete):F1} ms | {Median(switches):F2} ms | " +
                $"{updates.Kept} kept, {updates.Changed} changed, {updates.Built} built |"));
        }

        return 0;
    }

    private static void Edit(MemoryRulesetStore store, string[] args)
    {
        var errors = new StringWriter();
        if (new IptablesCommand(store, LibcNameService.Instance).Run(args, new ToolOutput(TextWriter.Null, errors)) != 0)
        {
            throw new InvalidOperationException($"iptables {string.Join(' ', args)}: {errors}");
        }
    }

    private static double Time(Action action)
    {
        var stopwatch = Stopwatch.StartNew();
        action();
        return stopwatch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
