using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>NFLOG</c> target: hands the packet to nfnetlink_log and lets it continue.</summary>
/// <remarks>
/// The kernel's <c>struct xt_nflog_info</c> (xt_NFLOG, revision 0) and iptables' libxt_NFLOG. The prefix holds
/// at most 63 bytes (the structure's 64-byte buffer); longer prefixes are cut, as iptables cuts them.
/// <c>--nflog-range</c> and <c>--nflog-size</c> share the length field; only the latter sets the copy-length
/// flag that makes the kernel use it.
/// </remarks>
public sealed record NflogTarget(
    uint Length,
    ushort Group,
    ushort Threshold,
    NflogTarget.NflogFlags Flags,
    string Prefix) : TargetInfo
{
    /// <summary>Room for the prefix in <c>struct xt_nflog_info</c>, including the terminating NUL.</summary>
    public const int PrefixSize = 64;

    /// <summary><c>XT_NFLOG_DEFAULT_THRESHOLD</c>.</summary>
    public const ushort DefaultThreshold = 0;

    private static readonly XtModule s_module = new("NFLOG", 0);

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new NflogExtension();

    /// <summary>The <c>XT_NFLOG_F_*</c> flags.</summary>
    [Flags]
    public enum NflogFlags : ushort
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>XT_NFLOG_F_COPY_LEN</c>: copy at most <see cref="Length"/> bytes of the packet.</summary>
        CopyLength = 0x1,
    }

    /// <summary><c>XT_NFLOG_MASK</c>: the flags the kernel knows.</summary>
    private const NflogFlags KnownFlags = NflogFlags.CopyLength;

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "NFLOG";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Append(output, string.Empty);

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        Append(output, "--");

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context) =>
        (Flags & ~KnownFlags) != 0 ? Errno.EINVAL : Errno.Ok;

    private void Append(StringBuilder output, string dashes)
    {
        if (Prefix.Length != 0)
        {
            output.Append(' ').Append(dashes).Append("nflog-prefix");
            Xt.SaveString(output, Prefix);
        }

        if (Group != 0)
        {
            output.Append(' ').Append(dashes).Append("nflog-group ").Append(Group.ToString(CultureInfo.InvariantCulture));
        }

        if ((Flags & NflogFlags.CopyLength) != 0)
        {
            output.Append(' ').Append(dashes).Append("nflog-size ").Append(Length.ToString(CultureInfo.InvariantCulture));
        }
        else if (Length != 0)
        {
            output.Append(' ').Append(dashes).Append("nflog-range ").Append(Length.ToString(CultureInfo.InvariantCulture));
        }

        if (Threshold != DefaultThreshold)
        {
            output.Append(' ').Append(dashes).Append("nflog-threshold ")
                .Append(Threshold.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Goes on (<c>nflog_tg</c>). Sekisho has no netlink: the packet is handed to no one, as in a kernel where no
    /// process listens on the group; nothing reaches the kernel log either, as with the kernel's nfnetlink_log.
    /// </summary>
    public override uint Execute(PacketContext context, object? state) => NfVerdict.Continue;

    private static class Ids
    {
        public const int Group = 0;
        public const int Prefix = 1;
        public const int Range = 2;
        public const int Size = 3;
        public const int Threshold = 4;
    }

    private sealed class NflogExtension : TargetExtension
    {
        public NflogExtension()
            : base("NFLOG",
            [
                new XtOption("nflog-group", Ids.Group, XtOptionType.UInt16, XtOptionFlags.Put),
                new XtOption("nflog-prefix", Ids.Prefix, XtOptionType.String, XtOptionFlags.Put) { Min = 1, Size = PrefixSize },
                new XtOption("nflog-range", Ids.Range, XtOptionType.UInt32, XtOptionFlags.Put) { Excl = 1u << Ids.Size },
                new XtOption("nflog-size", Ids.Size, XtOptionType.UInt32, XtOptionFlags.Put) { Excl = 1u << Ids.Range },
                new XtOption("nflog-threshold", Ids.Threshold, XtOptionType.UInt16, XtOptionFlags.Put),
            ])
        {
        }

        public override string Help =>
            "NFLOG target options:\n" +
            " --nflog-group NUM\t\tNETLINK group used for logging\n" +
            " --nflog-range NUM\t\tThis option has no effect, use --nflog-size\n" +
            " --nflog-size NUM\t\tNumber of bytes to copy\n" +
            " --nflog-threshold NUM\t\tMessage threshold of in-kernel queue\n" +
            " --nflog-prefix STRING\t\tPrefix string for log messages\n";

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private uint _length;
        private ushort _group;
        private ushort _threshold = DefaultThreshold;
        private NflogFlags _flags;
        private string _prefix = string.Empty;
        private TextWriter? _stderr;

        public override void Parse(OptionCall call)
        {
            _stderr = call.Environment.Stderr;
            switch (call.Entry.Id)
            {
                case Ids.Group:
                    _group = (ushort)call.Value.Number;
                    break;
                case Ids.Prefix:
                    _prefix = Xt.FitString(call.Arg, PrefixSize);
                    if (call.Arg.Contains('\n'))
                    {
                        throw XtablesException.Parameter("Newlines not allowed in --log-prefix");
                    }

                    break;
                case Ids.Range:
                case Ids.Size:
                    _length = (uint)call.Value.Number;
                    break;
                case Ids.Threshold:
                    _threshold = (ushort)call.Value.Number;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if ((Flags & (1u << Ids.Range)) != 0)
            {
                // Only reachable after an option was parsed, so the warning stream is known.
                _stderr?.Write(
                    "warn: --nflog-range has never worked and is no longer supported, please use --nflog-size instead\n");
            }

            if ((Flags & (1u << Ids.Size)) != 0)
            {
                _flags |= NflogFlags.CopyLength;
            }
        }

        public override TargetInfo Build() => new NflogTarget(_length, _group, _threshold, _flags, _prefix);
    }
}
