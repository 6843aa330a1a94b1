using System.Buffers.Binary;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>The <c>REJECT</c> target: drops the packet and answers with an ICMP error or a TCP reset.</summary>
/// <remarks>
/// The kernel's <c>struct ipt_reject_info</c> (ipt_REJECT, revision 0) and iptables' libipt_REJECT. The
/// kernel allows it only in the filter table (so from INPUT, FORWARD and OUTPUT), refuses the echo-reply
/// type, and wants a non-inverted <c>-p tcp</c> for a TCP reset. At run time (<c>reject_tg</c>) the ICMP types
/// go through <c>nf_send_unreach</c> (no answer to non-first fragments, nor to packets whose transport checksum
/// is wrong, for the protocols whose whole payload it covers) into <see cref="LocalStack.SendIcmpError(Packet, byte, byte, uint)"/>,
/// and <c>tcp-reset</c> through <c>nf_send_reset</c> into <see cref="LocalStack.SendReset"/>; the packet is dropped.
/// </remarks>
public sealed record RejectTarget(RejectTarget.RejectWith With) : TargetInfo
{
    private static readonly XtModule s_module = new("REJECT", 0)
    {
        Table = "filter",
        Hooks = HookMask.LocalIn | HookMask.Forward | HookMask.LocalOut,
    };

    // libipt_REJECT's reject_table[], indexed by the kernel value; echo-reply (4) has no entry.
    private static readonly (string Name, string Alias, string Description)?[] s_types =
    [
        ("icmp-net-unreachable", "net-unreach", "ICMP network unreachable"),
        ("icmp-host-unreachable", "host-unreach", "ICMP host unreachable"),
        ("icmp-proto-unreachable", "proto-unreach", "ICMP protocol unreachable"),
        ("icmp-port-unreachable", "port-unreach", "ICMP port unreachable (default)"),
        null,
        ("icmp-net-prohibited", "net-prohib", "ICMP network prohibited"),
        ("icmp-host-prohibited", "host-prohib", "ICMP host prohibited"),
        ("tcp-reset", "tcp-rst", "TCP RST packet"),
        ("icmp-admin-prohibited", "admin-prohib", "ICMP administratively prohibited (*)"),
    ];

    /// <summary>The iptables side of the target.</summary>
    public static TargetExtension Extension { get; } = new RejectExtension();

    /// <summary>The kernel's <c>enum ipt_reject_with</c>.</summary>
    public enum RejectWith : uint
    {
        /// <summary><c>IPT_ICMP_NET_UNREACHABLE</c>.</summary>
        NetUnreachable = 0,

        /// <summary><c>IPT_ICMP_HOST_UNREACHABLE</c>.</summary>
        HostUnreachable = 1,

        /// <summary><c>IPT_ICMP_PROT_UNREACHABLE</c>.</summary>
        ProtocolUnreachable = 2,

        /// <summary><c>IPT_ICMP_PORT_UNREACHABLE</c>, the default.</summary>
        PortUnreachable = 3,

        /// <summary><c>IPT_ICMP_ECHOREPLY</c>: no longer supported.</summary>
        EchoReply = 4,

        /// <summary><c>IPT_ICMP_NET_PROHIBITED</c>.</summary>
        NetProhibited = 5,

        /// <summary><c>IPT_ICMP_HOST_PROHIBITED</c>.</summary>
        HostProhibited = 6,

        /// <summary><c>IPT_TCP_RESET</c>.</summary>
        TcpReset = 7,

        /// <summary><c>IPT_ICMP_ADMIN_PROHIBITED</c>.</summary>
        AdminProhibited = 8,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    public override string Name => "REJECT";

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(" reject-with ").Append(TypeName(With));

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context) =>
        output.Append(" --reject-with ").Append(TypeName(With));

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (With == RejectWith.EchoReply)
        {
            context.Log.Write("ipt_REJECT: ECHOREPLY no longer supported.");
            return Errno.EINVAL;
        }

        if (With == RejectWith.TcpReset &&
            (context.Ip.Protocol != 6 || (context.Ip.InvFlags & IpInvFlags.Protocol) != 0))
        {
            context.Log.Write("ipt_REJECT: TCP_RESET invalid for non-tcp");
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    /// <inheritdoc />
    public override uint Execute(PacketContext context, object? state)
    {
        var packet = context.Packet;
        var stack = context.Net.Stack;
        switch (With)
        {
            case RejectWith.TcpReset:
                stack.SendReset(packet, NeedsChecksum(packet));
                break;
            case RejectWith.EchoReply:
                break;
            default:
                SendUnreachable(packet, stack, With switch
                {
                    RejectWith.NetUnreachable => 0,
                    RejectWith.HostUnreachable => 1,
                    RejectWith.ProtocolUnreachable => 2,
                    RejectWith.NetProhibited => 9,
                    RejectWith.HostProhibited => 10,
                    RejectWith.AdminProhibited => 13,
                    _ => 3,
                });
                break;
        }

        return NfVerdict.Drop;
    }

    // nf_send_unreach
    private static void SendUnreachable(Packet packet, LocalStack stack, byte code)
    {
        var data = packet.Data;
        if ((BinaryPrimitives.ReadUInt16BigEndian(data[6..]) & 0x1FFF) != 0)
        {
            return;
        }

        int ihl = (data[0] & 0x0F) * 4;
        if (NeedsChecksum(packet) && VerifiesChecksum(data, ihl) && !LocalStack.DatagramChecksumValid(data, ihl))
        {
            return;
        }

        stack.SendIcmpError(packet, 3, code, 0);
    }

    // skb_csum_unnecessary is false only for packets received from a wire (CHECKSUM_NONE): the host's own
    // packets, looped back or not, carry a checksum the stack computed.
    private static bool NeedsChecksum(Packet packet) =>
        packet.Origin == PacketOrigin.Received && packet.InDevice is not { IsLoopback: true };

    // nf_reject_verify_csum: protocols whose checksum does not cover the whole payload (or is absent) are not verified.
    private static bool VerifiesChecksum(ReadOnlySpan<byte> data, int ihl) => data[9] switch
    {
        17 => data.Length < ihl + 8 || BinaryPrimitives.ReadUInt16BigEndian(data[(ihl + 6)..]) != 0,
        47 or 51 or 50 or 132 or 136 or 33 => false,
        _ => true,
    };

    private static string TypeName(RejectWith with) =>
        (uint)with < s_types.Length && s_types[(int)with] is { } type ? type.Name : "(null)";

    private static RejectWith? Lookup(string arg)
    {
        for (int i = 0; i < s_types.Length; i++)
        {
            if (s_types[i] is { } type &&
                (CStrings.StartsWithIgnoreCase(type.Name, arg) || CStrings.StartsWithIgnoreCase(type.Alias, arg)))
            {
                return (RejectWith)i;
            }
        }

        return null;
    }

    private static string BuildHelp()
    {
        var help = new StringBuilder();
        help.Append("REJECT target options:\n")
            .Append("--reject-with type              drop input packet and send back\n")
            .Append("                                a reply packet according to type:\n")
            .Append("Valid reject types:\n");
        foreach (var entry in s_types)
        {
            if (entry is not { } type)
            {
                continue;
            }

            help.Append("    ").Append(type.Name.PadRight(25)).Append('\t').Append(type.Description).Append('\n');
            help.Append("    ").Append(type.Alias.PadRight(25)).Append("\talias\n");
        }

        help.Append('\n')
            .Append("(*) See man page or read the INCOMPATIBILITES file for compatibility issues.\n");
        return help.ToString();
    }

    private sealed class RejectExtension : TargetExtension
    {
        private static readonly string s_help = BuildHelp();

        public RejectExtension()
            : base("REJECT", [new XtOption("reject-with", 0, XtOptionType.String)])
        {
        }

        public override string Help => s_help;

        public override TargetParser CreateParser() => new Parser();
    }

    private sealed class Parser : TargetParser
    {
        private RejectWith _with = RejectWith.PortUnreachable;

        public override void Parse(OptionCall call)
        {
            string arg = call.Arg;
            if (Lookup(arg) is { } with)
            {
                _with = with;
                return;
            }

            if (CStrings.StartsWithIgnoreCase("echo-reply", arg) || CStrings.StartsWithIgnoreCase("echoreply", arg))
            {
                call.Environment.Stderr.Write("--reject-with echo-reply no longer supported\n");
            }

            throw XtablesException.Parameter($"unknown reject type \"{arg}\"");
        }

        public override TargetInfo Build() => new RejectTarget(_with);
    }
}
