using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Logging;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>LOG</c> target: writes a kernel log line describing the packet and lets it continue.</summary>
/// <remarks>
/// The kernel's <c>struct xt_log_info</c> (xt_LOG, revision 0) and iptables' libxt_LOG. The prefix holds at
/// most 29 bytes (the structure's 30-byte buffer); longer prefixes are cut, as iptables cuts them.
/// </remarks>
public sealed record LogTarget(LogTarget.LogFlags Flags, byte Level, string Prefix) : TargetInfo
{
    /// <summary>The default level, LOG_WARNING.</summary>
    public const byte DefaultLevel = 4;

    /// <summary>Room for the prefix in <c>struct xt_log_info</c>, including the terminating NUL.</summary>
    public const int PrefixSize = 30;

    private static readonly XtModule s_module = new("LOG", 0);

    // glibc's prioritynames[]: the first name with a level is the one iptables prints.
    private static readonly (string Name, int Level)[] s_priorityNames =
    [
        ("alert", 1), ("crit", 2), ("debug", 7), ("emerg", 0), ("err", 3), ("error", 3), ("info", 6),
        ("none", 0x10), ("notice", 5), ("panic", 0), ("warn", 4), ("warning", 4),
    ];

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new LogExtension();

    /// <summary>The <c>XT_LOG_*</c> flags.</summary>
    [Flags]
    public enum LogFlags : byte
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>XT_LOG_TCPSEQ</c>: TCP sequence numbers.</summary>
        TcpSequence = 0x01,

        /// <summary><c>XT_LOG_TCPOPT</c>: TCP options.</summary>
        TcpOptions = 0x02,

        /// <summary><c>XT_LOG_IPOPT</c>: IP options.</summary>
        IpOptions = 0x04,

        /// <summary><c>XT_LOG_UID</c>: the UID of the local socket.</summary>
        Uid = 0x08,

        /// <summary><c>XT_LOG_NFLOG</c>: unsupported in this target.</summary>
        NfLog = 0x10,

        /// <summary><c>XT_LOG_MACDECODE</c>: decode MAC addresses and protocol.</summary>
        MacDecode = 0x20,

        /// <summary><c>XT_LOG_MASK</c>.</summary>
        Mask = 0x2F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "LOG";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" LOG");
        if (context.Numeric)
        {
            output.Append(CultureInfo.InvariantCulture, $" flags {(byte)Flags} level {Level}");
        }
        else
        {
            string? name = null;
            foreach (var (priority, level) in s_priorityNames)
            {
                if (level == Level)
                {
                    name = priority;
                    break;
                }
            }

            if (name != null)
            {
                output.Append(" level ").Append(name);
            }
            else
            {
                output.Append(CultureInfo.InvariantCulture, $" UNKNOWN level {Level}");
            }

            if ((Flags & LogFlags.TcpSequence) != 0)
            {
                output.Append(" tcp-sequence");
            }

            if ((Flags & LogFlags.TcpOptions) != 0)
            {
                output.Append(" tcp-options");
            }

            if ((Flags & LogFlags.IpOptions) != 0)
            {
                output.Append(" ip-options");
            }

            if ((Flags & LogFlags.Uid) != 0)
            {
                output.Append(" uid");
            }

            if ((Flags & LogFlags.MacDecode) != 0)
            {
                output.Append(" macdecode");
            }

            if ((Flags & ~LogFlags.Mask) != 0)
            {
                output.Append(" unknown-flags");
            }
        }

        if (Prefix.Length != 0)
        {
            output.Append(" prefix \"").Append(Prefix).Append('"');
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if (Prefix.Length != 0)
        {
            output.Append(" --log-prefix");
            Xt.SaveString(output, Prefix);
        }

        if (Level != DefaultLevel)
        {
            output.Append(" --log-level ").Append(Level.ToString(CultureInfo.InvariantCulture));
        }

        if ((Flags & LogFlags.TcpSequence) != 0)
        {
            output.Append(" --log-tcp-sequence");
        }

        if ((Flags & LogFlags.TcpOptions) != 0)
        {
            output.Append(" --log-tcp-options");
        }

        if ((Flags & LogFlags.IpOptions) != 0)
        {
            output.Append(" --log-ip-options");
        }

        if ((Flags & LogFlags.Uid) != 0)
        {
            output.Append(" --log-uid");
        }

        if ((Flags & LogFlags.MacDecode) != 0)
        {
            output.Append(" --log-macdecode");
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (Level >= 8)
        {
            context.Log.Write($"x_tables: LOG: level {Level} >= 8");
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    /// <summary>Writes the packet's line to the namespace's log and lets the packet go on (<c>log_tg</c>).</summary>
    /// <remarks>The text is <see cref="LogFormatter"/>'s, built in the rule's own buffer: nothing is allocated.</remarks>
    public override uint Execute(PacketContext context, object? state)
    {
        var formatter = (LogFormatter)state!;
        var packet = context.Packet;
        var text = formatter.Format(packet, context.Hook, context.In, context.Out, Flags, Prefix);
        context.Net.Log.Write(Level, text, packet.Timestamp == default ? context.Now : packet.Timestamp);
        return NfVerdict.Continue;
    }

    /// <inheritdoc />
    public override object? CreateState(NetNamespace net) => new LogFormatter();

    private static class Ids
    {
        public const int TcpSequence = 0;
        public const int TcpOptions = 1;
        public const int IpOptions = 2;
        public const int Uid = 3;
        public const int MacDecode = 5;
        public const int Level = 6;
        public const int Prefix = 7;
    }

    private sealed class LogExtension : TargetExtension
    {
        public LogExtension()
            : base("LOG",
            [
                new XtOption("log-level", Ids.Level, XtOptionType.SyslogLevel, XtOptionFlags.Put),
                new XtOption("log-prefix", Ids.Prefix, XtOptionType.String, XtOptionFlags.Put) { Min = 1, Size = PrefixSize },
                new XtOption("log-tcp-sequence", Ids.TcpSequence, XtOptionType.None),
                new XtOption("log-tcp-options", Ids.TcpOptions, XtOptionType.None),
                new XtOption("log-ip-options", Ids.IpOptions, XtOptionType.None),
                new XtOption("log-uid", Ids.Uid, XtOptionType.None),
                new XtOption("log-macdecode", Ids.MacDecode, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "LOG target options:\n" +
            " --log-level level\t\tLevel of logging (numeric or see syslog.conf)\n" +
            " --log-prefix prefix\t\tPrefix log messages with this prefix.\n" +
            " --log-tcp-sequence\t\tLog TCP sequence numbers.\n" +
            " --log-tcp-options\t\tLog TCP options.\n" +
            " --log-ip-options\t\tLog IP options.\n" +
            " --log-uid\t\t\tLog UID owning the local socket.\n" +
            " --log-macdecode\t\tDecode MAC addresses and protocol.\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private LogFlags _flags;
        private byte _level = DefaultLevel;
        private string _prefix = string.Empty;

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.Level:
                    _level = call.Value.SyslogLevel;
                    break;
                case Ids.Prefix:
                    if (call.Arg.Contains('\n'))
                    {
                        throw XtablesException.Parameter("Newlines not allowed in --log-prefix");
                    }

                    _prefix = Xt.FitString(call.Arg, PrefixSize);
                    break;
                default:
                    _flags |= (LogFlags)(1 << call.Entry.Id);
                    break;
            }
        }

        public override TargetInfo Build() => new LogTarget(_flags, _level, _prefix);
    }
}
