using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Matches;

/// <summary>The <c>sctp</c> match: port ranges and the chunk types present in the packet.</summary>
/// <remarks>
/// The kernel's <c>struct xt_sctp_info</c> (xt_sctp, revision 0, protocol 132 only) and iptables' libxt_sctp.
/// The chunk map keeps the structure's 64 words. iptables records the flags of a chunk under the chunk's index
/// in its name table rather than its type number; the two coincide for the types 0 to 14 only, so flags given
/// for I_DATA and later names are stored, and matched by the kernel, under that index, and never printed.
/// </remarks>
public sealed record SctpMatch(
    ushort DestinationPortMin,
    ushort DestinationPortMax,
    ushort SourcePortMin,
    ushort SourcePortMax,
    ValueArray<uint> ChunkMap,
    SctpMatch.ChunkMatch ChunkMatchType,
    ValueArray<SctpMatch.FlagInfo> ChunkFlags,
    int FlagCount,
    SctpMatch.Options Flags,
    SctpMatch.Options Invert) : MatchInfo
{
    /// <summary>Words in the chunk map (<c>256 / sizeof(__u32)</c>).</summary>
    public const int ChunkMapWords = 64;

    /// <summary><c>XT_NUM_SCTP_FLAGS</c>: chunk types that may carry flag conditions.</summary>
    public const int MaxFlagInfo = 4;

    private static readonly XtModule s_module = new("sctp", 0) { Protocol = 132 };

    // libxt_sctp's sctp_chunk_names[]: name, chunk type, and the flag letters from bit 7 down to bit 0.
    private static readonly (string Name, byte Type, string ValidFlags)[] s_chunks =
    [
        ("DATA", 0, "----IUBE"),
        ("INIT", 1, "--------"),
        ("INIT_ACK", 2, "--------"),
        ("SACK", 3, "--------"),
        ("HEARTBEAT", 4, "--------"),
        ("HEARTBEAT_ACK", 5, "--------"),
        ("ABORT", 6, "-------T"),
        ("SHUTDOWN", 7, "--------"),
        ("SHUTDOWN_ACK", 8, "--------"),
        ("ERROR", 9, "--------"),
        ("COOKIE_ECHO", 10, "--------"),
        ("COOKIE_ACK", 11, "--------"),
        ("ECN_ECNE", 12, "--------"),
        ("ECN_CWR", 13, "--------"),
        ("SHUTDOWN_COMPLETE", 14, "-------T"),
        ("I_DATA", 64, "----IUBE"),
        ("RE_CONFIG", 130, "--------"),
        ("PAD", 132, "--------"),
        ("ASCONF", 193, "--------"),
        ("ASCONF_ACK", 128, "--------"),
        ("FORWARD_TSN", 192, "--------"),
        ("I_FORWARD_TSN", 194, "--------"),
    ];

    /// <summary>The iptables side of the match.</summary>
    public static MatchExtension Extension { get; } = new SctpExtension();

    /// <summary>The <c>XT_SCTP_*</c> option bits, used both for what is given and for what is inverted.</summary>
    [Flags]
    public enum Options : uint
    {
        /// <summary>None.</summary>
        None = 0,

        /// <summary><c>XT_SCTP_SRC_PORTS</c>.</summary>
        SourcePorts = 0x01,

        /// <summary><c>XT_SCTP_DEST_PORTS</c>.</summary>
        DestinationPorts = 0x02,

        /// <summary><c>XT_SCTP_CHUNK_TYPES</c>.</summary>
        ChunkTypes = 0x04,

        /// <summary><c>XT_SCTP_VALID_FLAGS</c>.</summary>
        Valid = 0x07,
    }

    /// <summary>How the chunk map is compared with the chunks of a packet (<c>SCTP_CHUNK_MATCH_*</c>).</summary>
    public enum ChunkMatch : uint
    {
        /// <summary>No chunk condition.</summary>
        None = 0,

        /// <summary><c>SCTP_CHUNK_MATCH_ANY</c>: one of the chunk types is present.</summary>
        Any = 0x01,

        /// <summary><c>SCTP_CHUNK_MATCH_ALL</c>: all of them are present.</summary>
        All = 0x02,

        /// <summary><c>SCTP_CHUNK_MATCH_ONLY</c>: only those types are present.</summary>
        Only = 0x04,
    }

    /// <inheritdoc />
    public override XtModule Module => s_module;

    /// <inheritdoc />
    /// <remarks>
    /// xt_sctp's <c>sctp_mt()</c>: a non-first fragment never matches; a packet without the 12-byte common header,
    /// or with a truncated or zero-length chunk header among those walked, is dropped. Chunks are walked as
    /// <c>match_packet()</c> does (each padded to 4 bytes) only when chunk types are asked for and the ports match.
    /// </remarks>
    public override bool Match(PacketContext context, object? state)
    {
        if (context.FragmentOffset != 0)
        {
            return false;
        }

        if (!context.TryRead(context.TransportOffset, 12, out var header))
        {
            context.HotDrop = true;
            return false;
        }

        ushort source = BinaryPrimitives.ReadUInt16BigEndian(header);
        ushort destination = BinaryPrimitives.ReadUInt16BigEndian(header[2..]);
        return Check(source >= SourcePortMin && source <= SourcePortMax, Options.SourcePorts)
            && Check(destination >= DestinationPortMin && destination <= DestinationPortMax, Options.DestinationPorts)
            && ((Flags & Options.ChunkTypes) == 0
                || (((Invert & Options.ChunkTypes) != 0) ^ MatchChunks(context, context.TransportOffset + 12)));
    }

    // SCCHECK(): an option not given passes; a given one passes when its condition differs from its inversion.
    private bool Check(bool condition, Options option) =>
        (Flags & option) == 0 || (((Invert & option) != 0) ^ condition);

    private bool IsSet(int type) => type / 32 < ChunkMap.Count && (ChunkMap[type / 32] & (1u << (type % 32))) != 0;

    private bool FlagsMatch(byte type, byte flags)
    {
        for (int i = 0; i < FlagCount && i < ChunkFlags.Count; i++)
        {
            var info = ChunkFlags[i];
            if (info.ChunkType == type)
            {
                return (flags & info.FlagMask) == info.Flag;
            }
        }

        return true;
    }

    // match_packet(): walks the chunks; for "all", the chunk types seen with matching flags are crossed off a copy of
    // the map (kept here as a 256-bit bitmap on the stack).
    private bool MatchChunks(PacketContext context, int offset)
    {
        Span<uint> remaining = stackalloc uint[8];
        if (ChunkMatchType == ChunkMatch.All)
        {
            for (int i = 0; i < remaining.Length; i++)
            {
                remaining[i] = i < ChunkMap.Count ? ChunkMap[i] : 0;
            }
        }

        long position = offset;
        int length = context.Packet.Length;
        do
        {
            if (position > int.MaxValue || !context.TryRead((int)position, 4, out var chunk)
                || BinaryPrimitives.ReadUInt16BigEndian(chunk[2..]) == 0)
            {
                context.HotDrop = true;
                return false;
            }

            byte type = chunk[0];
            byte flags = chunk[1];
            position += (BinaryPrimitives.ReadUInt16BigEndian(chunk[2..]) + 3) & ~3;
            if (IsSet(type))
            {
                switch (ChunkMatchType)
                {
                    case ChunkMatch.Any:
                        if (FlagsMatch(type, flags))
                        {
                            return true;
                        }

                        break;
                    case ChunkMatch.All:
                        if (FlagsMatch(type, flags))
                        {
                            remaining[type / 32] &= ~(1u << (type % 32));
                        }

                        break;
                    case ChunkMatch.Only:
                        if (!FlagsMatch(type, flags))
                        {
                            return false;
                        }

                        break;
                }
            }
            else if (ChunkMatchType == ChunkMatch.Only)
            {
                return false;
            }
        }
        while (position < length);

        switch (ChunkMatchType)
        {
            case ChunkMatch.All:
                foreach (uint word in remaining)
                {
                    if (word != 0)
                    {
                        return false;
                    }
                }

                for (int i = remaining.Length; i < ChunkMap.Count; i++)
                {
                    if (ChunkMap[i] != 0)
                    {
                        return false;
                    }
                }

                return true;
            case ChunkMatch.Only:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether the chunk map has the given chunk type.</summary>
    public bool HasChunk(int type) => (ChunkMap[type / 32] & (1u << (type % 32))) != 0;

    /// <inheritdoc />
    public override void Print(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        output.Append(" sctp");
        if ((Flags & Options.SourcePorts) != 0)
        {
            TcpMatch.PrintPorts(output, "spt", SourcePortMin, SourcePortMax, (Invert & Options.SourcePorts) != 0, "sctp", context);
        }

        if ((Flags & Options.DestinationPorts) != 0)
        {
            TcpMatch.PrintPorts(output, "dpt", DestinationPortMin, DestinationPortMax, (Invert & Options.DestinationPorts) != 0, "sctp", context);
        }

        if ((Flags & Options.ChunkTypes) != 0)
        {
            if ((Invert & Options.ChunkTypes) != 0)
            {
                output.Append(" !");
            }

            PrintChunks(output, context.Numeric);
        }
    }

    /// <inheritdoc />
    public override void Save(StringBuilder output, in IpHeaderMatch ip, FormatContext context)
    {
        if ((Flags & Options.SourcePorts) != 0)
        {
            SavePorts(output, "--sport", SourcePortMin, SourcePortMax, (Invert & Options.SourcePorts) != 0);
        }

        if ((Flags & Options.DestinationPorts) != 0)
        {
            SavePorts(output, "--dport", DestinationPortMin, DestinationPortMax, (Invert & Options.DestinationPorts) != 0);
        }

        if ((Flags & Options.ChunkTypes) != 0)
        {
            if ((Invert & Options.ChunkTypes) != 0)
            {
                output.Append(" !");
            }

            output.Append(" --chunk-types");
            PrintChunks(output, numeric: false);
        }
    }

    /// <inheritdoc />
    public override int CheckEntry(CheckContext context)
    {
        if (FlagCount > MaxFlagInfo || (Flags & ~Options.Valid) != 0 || (Invert & ~Options.Valid) != 0 ||
            (Invert & ~Flags) != 0)
        {
            return Errno.EINVAL;
        }

        if ((Flags & Options.ChunkTypes) == 0)
        {
            return Errno.Ok;
        }

        return ((uint)ChunkMatchType & (uint)(ChunkMatch.All | ChunkMatch.Any | ChunkMatch.Only)) != 0
            ? Errno.Ok
            : Errno.EINVAL;
    }

    private static void SavePorts(StringBuilder output, string option, ushort min, ushort max, bool invert)
    {
        if (invert)
        {
            output.Append(" !");
        }

        output.Append(' ').Append(option).Append(' ').Append(min.ToString(CultureInfo.InvariantCulture));
        if (min != max)
        {
            output.Append(':').Append(max.ToString(CultureInfo.InvariantCulture));
        }
    }

    private void PrintChunks(StringBuilder output, bool numeric)
    {
        output.Append(ChunkMatchType switch
        {
            ChunkMatch.Any => " any",
            ChunkMatch.All => " all",
            ChunkMatch.Only => " only",
            _ => "Never reach here\n",
        });

        bool clear = true;
        bool all = true;
        foreach (uint word in ChunkMap)
        {
            clear &= word == 0;
            all &= word == uint.MaxValue;
        }

        if (clear)
        {
            output.Append(" NONE");
            return;
        }

        if (all)
        {
            output.Append(" ALL");
            return;
        }

        bool first = true;
        for (int type = 0; type < 256; type++)
        {
            if (!HasChunk(type))
            {
                continue;
            }

            output.Append(first ? ' ' : ',');
            first = false;
            if (numeric)
            {
                output.Append(CultureInfo.InvariantCulture, $"0x{type:X4}");
            }
            else
            {
                foreach (var chunk in s_chunks)
                {
                    if (chunk.Type == type)
                    {
                        output.Append(chunk.Name);
                    }
                }
            }

            for (int j = 0; j < FlagCount && j < ChunkFlags.Count; j++)
            {
                if (ChunkFlags[j].ChunkType == type)
                {
                    PrintChunkFlags(output, type, ChunkFlags[j]);
                }
            }
        }
    }

    private static void PrintChunkFlags(StringBuilder output, int index, FlagInfo info)
    {
        if (info.FlagMask != 0)
        {
            output.Append(':');
        }

        // iptables reads the flag letters of the name table entry at the chunk type's number (only types 0 to
        // 14 can get here, where number and entry coincide).
        if (index >= s_chunks.Length)
        {
            return;
        }

        string letters = s_chunks[index].ValidFlags;
        for (int bit = 7; bit >= 0; bit--)
        {
            if ((info.FlagMask & (1 << bit)) == 0)
            {
                continue;
            }

            char letter = letters[7 - bit];
            output.Append((info.Flag & (1 << bit)) != 0 ? letter : char.ToLowerInvariant(letter));
        }
    }

    /// <summary>One chunk type's flag condition (<c>struct xt_sctp_flag_info</c>).</summary>
    /// <param name="ChunkType">The chunk type the condition applies to (255 in unused slots).</param>
    /// <param name="Flag">The required values of the flags in <paramref name="FlagMask"/>.</param>
    /// <param name="FlagMask">The flags tested.</param>
    public readonly record struct FlagInfo(byte ChunkType, byte Flag, byte FlagMask);

    private static class Ids
    {
        public const int SourcePorts = 1;
        public const int DestinationPorts = 2;
        public const int ChunkTypes = 3;
    }

    private sealed class SctpExtension : MatchExtension
    {
        public SctpExtension()
            : base("sctp",
            [
                XtOption.Legacy("source-port", Ids.SourcePorts, ArgumentKind.Required),
                XtOption.Legacy("sport", Ids.SourcePorts, ArgumentKind.Required),
                XtOption.Legacy("destination-port", Ids.DestinationPorts, ArgumentKind.Required),
                XtOption.Legacy("dport", Ids.DestinationPorts, ArgumentKind.Required),
                XtOption.Legacy("chunk-types", Ids.ChunkTypes, ArgumentKind.Required),
            ])
        {
        }

        public override string Help =>
            "sctp match options\n" +
            "[!] --source-port port[:port]                          match source port(s)\n" +
            " --sport ...\n" +
            "[!] --destination-port port[:port]                     match destination port(s)\n" +
            " --dport ...\n" +
            "[!] --chunk-types (all|any|none) (chunktype[:flags])+\tmatch if all, any or none of\n" +
            "\t\t\t\t\t\t        chunktypes are present\n" +
            "chunktypes - DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK ECN_ECNE ECN_CWR SHUTDOWN_COMPLETE ASCONF ASCONF_ACK FORWARD_TSN ALL NONE\n";

        public override MatchParser CreateParser() => new Parser();
    }

    private sealed class Parser : MatchParser
    {
        private readonly uint[] _chunkMap = new uint[ChunkMapWords];
        private readonly FlagInfo[] _flagInfo = new FlagInfo[MaxFlagInfo];
        private ushort _sportMin;
        private ushort _sportMax;
        private ushort _dportMin;
        private ushort _dportMax;
        private ChunkMatch _chunkMatchType;
        private int _flagCount;
        private Options _flags;
        private Options _invert;

        public Parser()
        {
            for (int i = 0; i < _flagInfo.Length; i++)
            {
                _flagInfo[i] = new FlagInfo(0xFF, 0, 0);
            }
        }

        public override void Parse(OptionCall call)
        {
            switch (call.Entry.Id)
            {
                case Ids.SourcePorts:
                    if ((Flags & (uint)Options.SourcePorts) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--source-port' allowed");
                    }

                    _flags |= Options.SourcePorts;
                    (_sportMin, _sportMax) = TcpMatch.ParsePorts(call.Arg, "sctp", call.Environment.Names);
                    if (call.Invert)
                    {
                        _invert |= Options.SourcePorts;
                    }

                    Flags |= (uint)Options.SourcePorts;
                    break;

                case Ids.DestinationPorts:
                    if ((Flags & (uint)Options.DestinationPorts) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--destination-port' allowed");
                    }

                    _flags |= Options.DestinationPorts;
                    (_dportMin, _dportMax) = TcpMatch.ParsePorts(call.Arg, "sctp", call.Environment.Names);
                    if (call.Invert)
                    {
                        _invert |= Options.DestinationPorts;
                    }

                    Flags |= (uint)Options.DestinationPorts;
                    break;

                case Ids.ChunkTypes:
                    if ((Flags & (uint)Options.ChunkTypes) != 0)
                    {
                        throw XtablesException.Parameter("Only one `--chunk-types' allowed");
                    }

                    var args = call.Cursor.Arguments;
                    int optind = call.Cursor.OptInd;
                    if (optind >= args.Count || args[optind].StartsWith('-') || args[optind].StartsWith('!'))
                    {
                        throw XtablesException.Parameter("--chunk-types requires two args");
                    }

                    _flags |= Options.ChunkTypes;
                    ParseChunks(call.Arg, args[optind]);
                    if (call.Invert)
                    {
                        _invert |= Options.ChunkTypes;
                    }

                    call.Cursor.OptInd = optind + 1;
                    Flags |= (uint)Options.ChunkTypes;
                    break;
            }
        }

        public override MatchInfo Build() =>
            new SctpMatch(_dportMin, _dportMax, _sportMin, _sportMax, new ValueArray<uint>(_chunkMap),
                _chunkMatchType, new ValueArray<FlagInfo>(_flagInfo), _flagCount, _flags, _invert);

        private void ParseChunks(string matchType, string chunks)
        {
            if (CStrings.EqualsIgnoreCase(matchType, "ANY"))
            {
                _chunkMatchType = ChunkMatch.Any;
            }
            else if (CStrings.EqualsIgnoreCase(matchType, "ALL"))
            {
                _chunkMatchType = ChunkMatch.All;
            }
            else if (CStrings.EqualsIgnoreCase(matchType, "ONLY"))
            {
                _chunkMatchType = ChunkMatch.Only;
            }
            else
            {
                throw XtablesException.Parameter("Match type has to be one of \"ALL\", \"ANY\" or \"ONLY\"");
            }

            Array.Clear(_chunkMap);
            if (CStrings.EqualsIgnoreCase(chunks, "ALL"))
            {
                Array.Fill(_chunkMap, uint.MaxValue);
                return;
            }

            if (CStrings.EqualsIgnoreCase(chunks, "NONE"))
            {
                return;
            }

            foreach (string item in chunks.Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = item.IndexOf(':');
                string name = colon < 0 ? item : item[..colon];
                int index = Array.FindIndex(s_chunks, c => CStrings.EqualsIgnoreCase(c.Name, name));
                if (index < 0)
                {
                    throw XtablesException.Parameter($"Unknown sctp chunk `{name}'");
                }

                int type = s_chunks[index].Type;
                _chunkMap[type / 32] |= 1u << (type % 32);
                if (colon < 0)
                {
                    continue;
                }

                foreach (char letter in item[(colon + 1)..])
                {
                    int position = s_chunks[index].ValidFlags.IndexOf(char.ToUpperInvariant(letter), StringComparison.Ordinal);
                    if (position < 0)
                    {
                        throw XtablesException.Parameter($"Invalid flags for chunk type {index}");
                    }

                    AddFlag((byte)index, 7 - position, char.IsAsciiLetterUpper(letter));
                }
            }
        }

        private void AddFlag(byte chunkType, int bit, bool set)
        {
            byte mask = (byte)(1 << bit);
            for (int i = 0; i < _flagCount; i++)
            {
                if (_flagInfo[i].ChunkType == chunkType)
                {
                    var info = _flagInfo[i];
                    _flagInfo[i] = info with
                    {
                        FlagMask = (byte)(info.FlagMask | mask),
                        Flag = set ? (byte)(info.Flag | mask) : info.Flag,
                    };
                    return;
                }
            }

            if (_flagCount == MaxFlagInfo)
            {
                throw XtablesException.Parameter(
                    "Number of chunk types with flags exceeds currently allowed limit. Increasing this limit involves changing IPT_NUM_SCTP_FLAGS and recompiling both the kernel space and user space modules");
            }

            _flagInfo[_flagCount] = new FlagInfo(chunkType, set ? mask : (byte)0, mask);
            _flagCount++;
        }
    }
}
