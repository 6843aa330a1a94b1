using Sekisho.Iptables.State;
using Sekisho.Live.Control;
using Sekisho.Netfilter.Conntrack;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Cli.Conntrack;

/// <summary><c>sekisho conntrack</c>: lists, counts or flushes the state directory's connection tracking table.</summary>
/// <remarks>
/// <see cref="ConntrackTool"/> over the table saved in the state directory; the remaining timeouts are those saved
/// with the table. A damaged file is reported and left as it is.
/// </remarks>
internal sealed class ConntrackCommand(StateDirectory state, TimeProvider? clock = null)
{
    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            return ConntrackTool.Run(args, stdout, stderr, new StateConntrack(state, clock));
        }
        catch (InvalidDataException ex)
        {
            stderr.Write($"sekisho: the conntrack file {state.ConntrackPath} is damaged: {ex.Message}\n");
            return 1;
        }
    }

    private sealed class StateConntrack(StateDirectory state, TimeProvider? clock) : IConntrackAccess
    {
        public T Read<T>(Func<ConntrackTable, T> read) => read(Open());

        public void Flush()
        {
            using (state.Lock(-1))
            {
                var table = Open();
                table.Flush();
                state.SaveConntrack(table);
            }
        }

        private ConntrackTable Open()
        {
            var net = new NetNamespace(new HostModel(), clock);
            state.LoadConntrack(net.Conntrack);
            return net.Conntrack;
        }
    }
}
