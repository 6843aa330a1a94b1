using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>owner</c> match: the user, group or existence of the local socket that sends a packet.</summary>
/// <remarks>
/// The kernel's <c>struct xt_owner_match_info</c> (xt_owner, revision 1): UID and GID ranges, usable only from
/// OUTPUT and POSTROUTING. User and group names are looked up when parsing (<c>getpwnam</c>/<c>getgrnam</c>) and,
/// for single IDs, when listing without <c>-n</c>; the kernel refuses a range whose upper end is below its lower
/// end.
/// </remarks>
public sealed record OwnerMatch(uint UidMin, uint UidMax, uint GidMin, uint GidMax, OwnerMatch.Options Selected, OwnerMatch.Options Invert)
    : MatchInfo
{
    private static readonly XtModule s_module = new("owner", 1)
    {
        Hooks = HookMask.LocalOut | HookMask.PostRouting,
    };

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new OwnerExtension();

    /// <summary>The <c>XT_OWNER_*</c> bits of <c>match</c> and <c>invert</c>.</summary>
    [Flags]
    public enum Options : byte
    {
        /// <summary>Nothing.</summary>
        None = 0,

        /// <summary><c>XT_OWNER_UID</c>.</summary>
        Uid = 1 << 0,

        /// <summary><c>XT_OWNER_GID</c>.</summary>
        Gid = 1 << 1,

        /// <summary><c>XT_OWNER_SOCKET</c>.</summary>
        Socket = 1 << 2,

        /// <summary><c>XT_OWNER_SUPPL_GROUPS</c>.</summary>
        SupplementaryGroups = 1 << 3,

        /// <summary><c>XT_OWNER_MASK</c>.</summary>
        Mask = 0x0F,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_owner's <c>owner_mt()</c>: a packet without a local socket matches only when every option given is
    /// inverted; <c>! --socket-exists</c> fails on a packet with one; a kernel socket (no file) matches unless a user
    /// or group is asked for without inversion; the user and group ranges compare the
    /// socket owner's fsuid and fsgid (and, with <c>--suppl-groups</c>, its supplementary groups).
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        var socket = context.Packet.Socket;
        if (socket is null)
        {
            return (Selected ^ Invert) == Options.None;
        }

        if ((Selected & Invert & Options.Socket) != 0)
        {
            return false;
        }

        if (!socket.HasFile)
        {
            // A kernel socket: no file, no owner; only --socket-exists can match.
            return ((Selected ^ Invert) & (Options.Uid | Options.Gid)) == Options.None;
        }

        if ((Selected & Options.Uid) != 0
            && ((socket.Uid >= UidMin && socket.Uid <= UidMax) ^ ((Invert & Options.Uid) == 0)))
        {
            return false;
        }

        if ((Selected & Options.Gid) != 0)
        {
            bool match = socket.Gid >= GidMin && socket.Gid <= GidMax;
            if (!match && (Selected & Options.SupplementaryGroups) != 0)
            {
                var groups = socket.SupplementaryGroups;
                for (int i = 0; i < groups.Count; i++)
                {
                    if (groups[i] >= GidMin && groups[i] <= GidMax)
                    {
                        match = true;
                        break;
                    }
                }
            }

            if (match ^ ((Invert & Options.Gid) == 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        Item(output, "owner socket exists", Options.Socket, context.Numeric, context.Names);
        Item(output, "owner UID match", Options.Uid, context.Numeric, context.Names);
        Item(output, "owner GID match", Options.Gid, context.Numeric, context.Names);
        Item(output, "incl. suppl. groups", Options.SupplementaryGroups, context.Numeric, context.Names);
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        Item(output, "--socket-exists", Options.Socket, true, context.Names);
        Item(output, "--uid-owner", Options.Uid, true, context.Names);
        Item(output, "--gid-owner", Options.Gid, true, context.Names);
        Item(output, "--suppl-groups", Options.SupplementaryGroups, true, context.Names);
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if ((Selected & ~Options.Mask) != 0)
        {
            return Errno.EINVAL;
        }

        // make_kuid() leaves IDs as they are in the initial namespace; (uid_t)-1 is the invalid one.
        if ((Selected & Options.Uid) != 0 && (UidMin == uint.MaxValue || UidMax == uint.MaxValue || UidMax < UidMin))
        {
            return Errno.EINVAL;
        }

        if ((Selected & Options.Gid) != 0 && (GidMin == uint.MaxValue || GidMax == uint.MaxValue || GidMax < GidMin))
        {
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    private void Item(StringBuilder output, string label, Options flag, bool numeric, INameService names)
    {
        if ((Selected & flag) == 0)
        {
            return;
        }

        if ((Invert & flag) != 0)
        {
            output.Append(" !");
        }

        output.Append(' ').Append(label);
        if (flag == Options.Uid)
        {
            Id(output, UidMin, UidMax, numeric ? null : names.UserById(UidMin));
        }
        else if (flag == Options.Gid)
        {
            Id(output, GidMin, GidMax, numeric ? null : names.GroupById(GidMin));
        }

        static void Id(StringBuilder output, uint min, uint max, string? name)
        {
            output.Append(' ');
            if (min != max)
            {
                output.Append(min.ToString(CultureInfo.InvariantCulture)).Append('-').Append(max.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                output.Append(name ?? min.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private static class Ids
    {
        public const int User = 0;
        public const int Group = 1;
        public const int SocketExists = 2;
        public const int SupplementaryGroups = 6;
    }

    private sealed class OwnerExtension : MatchExtension
    {
        public OwnerExtension()
            : base("owner",
            [
                new XtOption("uid-owner", Ids.User, XtOptionType.String, XtOptionFlags.Invert),
                new XtOption("gid-owner", Ids.Group, XtOptionType.String, XtOptionFlags.Invert),
                new XtOption("socket-exists", Ids.SocketExists, XtOptionType.None, XtOptionFlags.Invert),
                new XtOption("suppl-groups", Ids.SupplementaryGroups, XtOptionType.None),
            ])
        {
        }

        public override string Help =>
            "owner match options:\n" +
            "[!] --uid-owner userid[-userid]      Match local UID\n" +
            "[!] --gid-owner groupid[-groupid]    Match local GID\n" +
            "[!] --socket-exists                  Match if socket exists\n" +
            "    --suppl-groups                   Also match supplementary groups set with --gid-owner\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private uint _uidMin;
        private uint _uidMax;
        private uint _gidMin;
        private uint _gidMax;
        private Options _match;
        private Options _invert;

        public override void Parse(OptionCall call)
        {
            var names = call.Environment.Names;
            switch (call.Entry.Id)
            {
                case Ids.User:
                    long uid = names.UserByName(call.Arg);
                    (_uidMin, _uidMax) = uid >= 0 ? ((uint)uid, (uint)uid) : ParseRange(call.Arg, "--uid-owner");
                    Set(Options.Uid, call.Invert);
                    break;
                case Ids.Group:
                    long gid = names.GroupByName(call.Arg);
                    (_gidMin, _gidMax) = gid >= 0 ? ((uint)gid, (uint)gid) : ParseRange(call.Arg, "--gid-owner");
                    Set(Options.Gid, call.Invert);
                    break;
                case Ids.SocketExists:
                    Set(Options.Socket, call.Invert);
                    break;
                case Ids.SupplementaryGroups:
                    if ((_match & Options.Gid) == 0)
                    {
                        throw Xt.BadValue("owner", "--suppl-groups", "you need to use --gid-owner first");
                    }

                    _match |= Options.SupplementaryGroups;
                    break;
            }
        }

        public override void FinalCheck(string extensionName)
        {
            if (Flags == 0)
            {
                throw XtablesException.Parameter(
                    "owner: At least one of --uid-owner, --gid-owner or --socket-exists is required");
            }
        }

        public override MatchInfo Build() => new OwnerMatch(_uidMin, _uidMax, _gidMin, _gidMax, _match, _invert);

        /// <summary><c>id[-id]</c> or <c>id[:id]</c>, each at most 2^32 - 2 (-1 is reserved).</summary>
        private static (uint Min, uint Max) ParseRange(string arg, string option)
        {
            const uint max = uint.MaxValue - 1;
            if (!CNumbers.TryStrToUI(arg, 0, out int end, out uint from, 0, max))
            {
                throw Xt.BadValue("owner", option, arg);
            }

            uint to = from;
            if (end < arg.Length && (arg[end] == '-' || arg[end] == ':') &&
                !CNumbers.TryStrToUI(arg, end + 1, out end, out to, 0, max))
            {
                throw Xt.BadValue("owner", option, arg);
            }

            if (end != arg.Length)
            {
                throw Xt.BadValue("owner", option, arg);
            }

            return (from, to);
        }

        private void Set(Options option, bool invert)
        {
            _match |= option;
            if (invert)
            {
                _invert |= option;
            }
        }
    }
}
