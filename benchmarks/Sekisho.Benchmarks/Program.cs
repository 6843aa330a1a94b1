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

BenchmarkSwitcher.FromAssembly(typeof(RestoreParseBenchmarks).Assembly).Run(args);
return 0;
