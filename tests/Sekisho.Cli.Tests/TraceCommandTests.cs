using Sekisho.Cli.Trace;
using Sekisho.Iptables.State;
using Sekisho.Netfilter.Syntax;
using Sekisho.TestSupport;

namespace Sekisho.Cli.Tests;

/// <summary><c>sekisho trace</c>: the walk through chains as ipt_do_table does it, rendered step by step.</summary>
public sealed class TraceCommandTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("sekisho-trace-").FullName;

    [Fact]
    public void Trace_JumpReturnAndPolicy_ShowsEveryEntryVisited()
    {
        Setup("""
            iptables -P INPUT DROP
            iptables -N web
            iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP
            iptables -A INPUT -p tcp -j web
            iptables -A web -s 10.1.77.0/24 -j RETURN
            iptables -A web -p tcp -j ACCEPT
            """);

        var (code, output, _) = Trace("-s 10.1.77.146 -d 10.1.51.165 -p tcp --dport 22");

        Assert.Equal(0, code);
        var lines = Steps(output);
        Assert.Equal(
        [
            "filter:INPUT:rule:1 no match -A INPUT -s 10.1.77.146/32 -p icmp -j DROP",
            "filter:INPUT:rule:2 MATCH -A INPUT -p tcp -j web -> jump to web",
            "filter:web:rule:1 MATCH -A web -s 10.1.77.0/24 -j RETURN -> RETURN",
            "filter:INPUT:policy:3 policy DROP",
        ], lines);
        Assert.Contains("Result: DROP (filter INPUT)", output);
    }

    [Fact]
    public void Trace_GotoReturnsToTheCallerOfTheChain_LikeTheKernel()
    {
        Setup("""
            iptables -N a
            iptables -N b
            iptables -A INPUT -j a
            iptables -A INPUT -j DROP
            iptables -A a -g b
            iptables -A a -j ACCEPT
            iptables -A b -p udp -j ACCEPT
            """);

        var (_, output, _) = Trace("-s 192.0.2.1 -d 198.51.100.1 -p tcp");

        Assert.Equal(
        [
            "filter:INPUT:rule:1 MATCH -A INPUT -j a -> jump to a",
            "filter:a:rule:1 MATCH -A a -g b -> goto b",
            "filter:b:rule:1 no match -A b -p udp -j ACCEPT",
            "filter:b:return:2 end of chain: return to the calling chain",
            "filter:INPUT:rule:2 MATCH -A INPUT -j DROP -> DROP",
        ], Steps(output));
    }

    [Fact]
    public void Trace_Redirect_ShowsTheTranslatedTuple()
    {
        Setup("iptables -t nat -A PREROUTING -p tcp --dport 8080 -j REDIRECT --to-ports 22");

        var (code, output, _) = Trace("-s 10.1.77.146 -d 10.1.51.165 -p tcp --dport 8080");

        Assert.Equal(0, code);
        Assert.Contains("nat: DNAT 10.1.77.146:", output);
        Assert.Contains("> 10.1.51.165:8080 -> 10.1.77.146:", output);
        Assert.Contains("> 10.1.51.165:22", output);
    }

    [Fact]
    public void Trace_Json_ListsPositionsAndVerdicts()
    {
        Setup("iptables -A OUTPUT -p icmp -j DROP");

        var (code, output, _) = Trace("-s 10.0.0.1 -d 10.0.0.2 --local -p icmp --icmp-type echo-request --json");

        Assert.Equal(0, code);
        Assert.Contains("\"position\": \"filter:OUTPUT:rule:1\"", output);
        Assert.Contains("\"rule\": \"-A OUTPUT -p icmp -j DROP\"", output);
        Assert.Contains("\"fate\": \"dropped\"", output);
    }

    [Theory]
    [InlineData("-s 10.0.0.1", "the first packet needs a source (-s) and a destination (-d)")]
    [InlineData("-s 10.0.0.1 -d 10.0.0.300", "bad address `10.0.0.300'")]
    [InlineData("-s 10.0.0.1 -d 10.0.0.2 --flags SYN,FOO", "unknown TCP flag `FOO'")]
    [InlineData("--reply -s 10.0.0.1 -d 10.0.0.2", "--reply needs a previous packet")]
    [InlineData("-s 10.0.0.1 -d 10.0.0.2 --dport", "option --dport requires a value")]
    public void Trace_BadArguments_ExitTwoWithMessage(string args, string message)
    {
        var (code, _, error) = Trace(args);

        Assert.Equal(2, code);
        Assert.Contains(message, error);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);

    private void Setup(string commands)
    {
        var tools = new SekishoTools(_state, LibcNameService.Instance);
        foreach (string line in commands.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var result = tools.Run(line);
            Assert.True(result.ExitCode == 0, $"{line}: {result.Stderr}");
        }
    }

    private (int Code, string Stdout, string Stderr) Trace(string args)
    {
        var stdout = new StringWriter { NewLine = "\n" };
        var stderr = new StringWriter { NewLine = "\n" };
        int code = new TraceCommand(new StateDirectory(_state, LibcNameService.Instance), LibcNameService.Instance)
            .Run(ShellWords.Split(args), stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    // The rule lines, with runs of spaces collapsed.
    private static List<string> Steps(string output) => output.Split('\n')
        .Select(l => l.Trim())
        .Where(l => l.StartsWith("filter:", StringComparison.Ordinal))
        .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
        .ToList();
}
