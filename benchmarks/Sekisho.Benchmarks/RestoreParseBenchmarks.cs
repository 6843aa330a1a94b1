using System.Text;
using BenchmarkDotNet.Attributes;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Benchmarks;

/// <summary>The iptables-restore path in-process: parsing, checking and building a 100,000-rule table, and saving it.</summary>
[MemoryDiagnoser]
public class RestoreParseBenchmarks
{
    private byte[] _input = [];
    private MemoryRulesetStore _loaded = new();

    [Params(100_000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = Encoding.UTF8.GetBytes(RulesetFiles.Filter(Rules));
        _loaded = new MemoryRulesetStore();
        Restore(_loaded);
    }

    [Benchmark]
    public int Restore() => Restore(new MemoryRulesetStore());

    [Benchmark]
    public int Save()
    {
        var output = new ToolOutput(TextWriter.Null, TextWriter.Null);
        return new SaveCommand(_loaded, LibcNameService.Instance).Run([], output);
    }

    private int Restore(MemoryRulesetStore store)
    {
        var output = new ToolOutput(TextWriter.Null, TextWriter.Null);
        return new RestoreCommand(store, LibcNameService.Instance).Run([], new MemoryStream(_input), output);
    }
}
