using Xunit;
using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.TestSupport;

/// <summary>Runs Sekisho's iptables tools in-process against one store.</summary>
public sealed class SekishoTools
{
    private readonly Func<IRulesetStore> _storeFactory;

    /// <summary>Creates tools over a store (a fresh in-memory kernel by default).</summary>
    public SekishoTools(IRulesetStore? store = null, INameService? names = null)
    {
        var fixedStore = store ?? new MemoryRulesetStore();
        _storeFactory = () => fixedStore;
        Names = names ?? LibcNameService.Instance;
    }

    /// <summary>
    /// Creates tools that open the state directory afresh for every command, as separate processes do: every
    /// step then reads back what the previous one wrote, so the state file's round trip is tested as well.
    /// </summary>
    public SekishoTools(string stateDirectory, INameService names)
    {
        _storeFactory = () => new StateDirectory(stateDirectory, names);
        Names = names;
    }

    /// <summary>The "kernel" the next command will use.</summary>
    public IRulesetStore Store => _storeFactory();

    /// <summary>Name lookups.</summary>
    public INameService Names { get; }

    /// <summary>Runs a command line such as <c>iptables -A INPUT -j ACCEPT</c>.</summary>
    public ToolResult Run(string commandLine, string? stdin = null) => Run(ShellWords.Split(commandLine), stdin);

    /// <summary>Runs a command given as words; the first word names the tool.</summary>
    public ToolResult Run(IReadOnlyList<string> words, string? stdin = null)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        var output = new ToolOutput(stdout, stderr);
        var args = words.Skip(1).ToList();
        var store = Store;
        int code = words[0] switch
        {
            "iptables" => new IptablesCommand(store, Names).Run(args, output),
            "iptables-save" => new SaveCommand(store, Names).Run(args, output),
            "iptables-restore" => new RestoreCommand(store, Names).Run(args,
                new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? string.Empty)), output),
            _ => throw new ArgumentException($"Unknown tool {words[0]}"),
        };
        return new ToolResult(code, stdout.ToString(), stderr.ToString());
    }
}
