using Xunit;
using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.TestSupport;

/// <summary>Runs Sekisho's iptables tools in-process against one store.</summary>
public sealed class SekishoTools
{
    /// <summary>Creates tools over a store (a fresh in-memory kernel by default).</summary>
    public SekishoTools(IRulesetStore? store = null, INameService? names = null)
    {
        Store = store ?? new MemoryRulesetStore();
        Names = names ?? LibcNameService.Instance;
    }

    /// <summary>The "kernel".</summary>
    public IRulesetStore Store { get; }

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
        int code = words[0] switch
        {
            "iptables" => new IptablesCommand(Store, Names).Run(args, output),
            "iptables-save" => new SaveCommand(Store, Names).Run(args, output),
            "iptables-restore" => new RestoreCommand(Store, Names).Run(args,
                new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? string.Empty)), output),
            _ => throw new ArgumentException($"Unknown tool {words[0]}"),
        };
        return new ToolResult(code, stdout.ToString(), stderr.ToString());
    }
}
