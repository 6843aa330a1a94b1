namespace Sekisho.Cli.Demo;

/// <summary>A step of a demo scenario.</summary>
internal abstract record DemoStep;

/// <summary>An explanation printed as it stands.</summary>
internal sealed record Say(string Text) : DemoStep;

/// <summary>A command run on the server (iptables, iptables-save), shown with its output; at a time, if given.</summary>
internal sealed record Run(string CommandLine, DateTimeOffset? Time = null) : DemoStep;

/// <summary>
/// Packets a peer sends to the server: each an IPv4 datagram arriving on the interface at its time; the
/// <paramref name="Outcome"/> function turns the datagrams the server sent back into what the peer's program says.
/// <paramref name="FirstIdentifier"/>, when given, is the IP ID of the server's first datagram without DF (the one
/// the document shows; the kernel's are not reproducible).
/// </summary>
internal sealed record Traffic(string Prompt, IReadOnlyList<(DateTimeOffset Time, byte[] Datagram)> Packets,
    Func<int, IReadOnlyList<byte[]>, string> Outcome, ushort? FirstIdentifier = null) : DemoStep;

/// <summary>The log lines written since the last time they were shown, as in /var/log/messages.</summary>
internal sealed record ShowLog : DemoStep;
