using System.Diagnostics;
using BenchmarkDotNet.Running;
using Sekisho.Benchmarks;

if (args.Length > 0 && args[0] == "--quick")
{
    // A single timed pass for development; the numbers that count come from BenchmarkDotNet.
    var restore = new RestoreParseBenchmarks { Rules = 100_000 };
    var stopwatch = Stopwatch.StartNew();
    restore.Setup();
    Console.WriteLine($"setup (restore) {stopwatch.ElapsedMilliseconds} ms");
    for (int i = 0; i < 3; i++)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        int gcs = GC.CollectionCount(0);
        stopwatch.Restart();
        restore.Restore();
        Console.WriteLine($"restore allocated {(GC.GetAllocatedBytesForCurrentThread() - allocated) / 1_000_000} MB, {GC.CollectionCount(0) - gcs} gen0 GCs");

        Console.WriteLine($"restore {stopwatch.ElapsedMilliseconds} ms");
        stopwatch.Restart();
        restore.Save();
        Console.WriteLine($"save {stopwatch.ElapsedMilliseconds} ms");
    }

    return 0;
}

if (args.Length > 0 && args[0] == "--conntrack-quick")
{
    // A single pass for development: bytes per entry and lookups per second against the dictionary baseline.
    foreach (int entries in new[] { 1_000, 100_000 })
    {
        var conntrack = new ConntrackBenchmarks { Entries = entries };
        conntrack.Setup();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var fill = Stopwatch.StartNew();
        GC.KeepAlive(conntrack.Fill());
        long table = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"fill {fill.ElapsedMilliseconds} ms");
        before = GC.GetAllocatedBytesForCurrentThread();
        fill.Restart();
        GC.KeepAlive(conntrack.FillDictionary());
        long dictionary = GC.GetAllocatedBytesForCurrentThread() - before;
        Console.WriteLine($"fill dictionary {fill.ElapsedMilliseconds} ms");
        var stopwatch = Stopwatch.StartNew();
        long lookups = 0;
        while (stopwatch.ElapsedMilliseconds < 1000)
        {
            conntrack.Lookup();
            lookups += 1024;
        }

        double tableRate = lookups / stopwatch.Elapsed.TotalSeconds;
        stopwatch.Restart();
        lookups = 0;
        while (stopwatch.ElapsedMilliseconds < 1000)
        {
            conntrack.DictionaryLookup();
            lookups += 1024;
        }

        double dictionaryRate = lookups / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"{entries} entries: table {table / entries} B/entry, {tableRate / 1e6:F1} M lookups/s; " +
            $"dictionary {dictionary / entries} B/entry, {dictionaryRate / 1e6:F1} M lookups/s");
    }

    return 0;
}

if (args.Length > 0 && args[0] == "--classifier-lookup")
{
    return ClassifierReport.RunLookup(args[1..]);
}

if (args.Length > 0 && args[0] == "--classifier-edit")
{
    return ClassifierEditReport.Run(args[1..]);
}

if (args.Length > 0 && args[0] == "--classifier-report")
{
    return ClassifierReport.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(RestoreParseBenchmarks).Assembly).Run(args);
return 0;
