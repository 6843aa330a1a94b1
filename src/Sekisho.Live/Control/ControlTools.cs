using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Live.Control;

/// <summary>Runs a request's tool inside the daemon: the same command classes as for the state directory.</summary>
internal sealed class ControlTools
{
    private readonly LiveFirewall _firewall;
    private readonly DaemonInfo _info;
    private readonly LiveRulesetStore _store;
    private readonly LiveConntrack _conntrack;
    private readonly INameService _names;

    public ControlTools(LiveFirewall firewall, DaemonInfo info, LiveRulesetStore store, INameService names)
    {
        _firewall = firewall;
        _info = info;
        _store = store;
        _conntrack = new LiveConntrack(firewall);
        _names = names;
    }

    /// <summary>Runs <paramref name="request"/>; <paramref name="connection"/> supplies standard input on demand.</summary>
    public ControlResponse Run(ControlRequest request, Stream connection)
    {
        var stdoutBytes = new MemoryStream();
        var stdout = new StreamWriter(stdoutBytes, new UTF8Encoding(false), 1 << 16) { NewLine = "\n" };
        var stderrBytes = new MemoryStream();
        var stderr = new StreamWriter(stderrBytes, new UTF8Encoding(false)) { NewLine = "\n" };
        var output = new ToolOutput(stdout, stderr);
        string cwd = request.WorkingDirectory.Length > 0 && Path.IsPathRooted(request.WorkingDirectory)
            ? request.WorkingDirectory
            : "/";
        int code = request.Tool switch
        {
            "iptables" => new IptablesCommand(_store, _names).Run(request.Arguments, output),
            "iptables-save" => new SaveCommand(_store, _names) { WorkingDirectory = cwd }.Run(request.Arguments, output),
            "iptables-restore" => new RestoreCommand(_store, _names) { WorkingDirectory = cwd }
                .Run(request.Arguments, new RemoteStdin(connection), output),
            "conntrack" => ConntrackTool.Run(request.Arguments, stdout, stderr, _conntrack),
            "service-status" => Status(stdout),
            "service-save" => RulesFileSaver.Save(_store, _names, _info.RulesFile, stdout, stderr),
            "service-stop" => 0,
            _ => throw new ControlProtocolException(
                $"unknown tool `{request.Tool}' (the daemon runs {string.Join(", ", ControlRequest.Tools)})"),
        };
        stdout.Flush();
        stderr.Flush();
        return new ControlResponse(stdoutBytes.ToArray(), stderrBytes.ToArray(), code);
    }

    private int Status(TextWriter stdout)
    {
        stdout.Write(ServiceStatus.Render(_firewall, _info, _store, _names));
        return 0;
    }
}
