using System.Text;
using Sekisho.Cli;

// The sekisho executable is multi-call, like xtables-multi: the command is argv[0]'s name when started through a
// link called iptables, iptables-save or iptables-restore, and the first argument otherwise.
var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false), 1 << 16) { AutoFlush = false };
var stderr = new StreamWriter(Console.OpenStandardError(), new UTF8Encoding(false)) { AutoFlush = true };
int status;
try
{
    status = Dispatcher.Run(ProgramName.Invoked(), args, stdout, stderr);
}
finally
{
    stdout.Flush();
    stderr.Flush();
}

return status;
