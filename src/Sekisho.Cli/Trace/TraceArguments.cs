using System.Globalization;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Packets;

namespace Sekisho.Cli.Trace;

/// <summary>The command line of <c>sekisho trace</c>: host options, output options, and one or more packets separated by <c>--then</c>.</summary>
internal sealed class TraceArguments
{
    public const string Usage =
        "Usage: sekisho trace [HOST OPTIONS] [--json] PACKET [--then PACKET]...\n" +
        "\n" +
        "Shows what the state directory's ruleset does to the packets described: every table, chain and rule\n" +
        "visited (in the kernel's TRACE vocabulary table:chain:rule|return|policy:N), what each rule decided,\n" +
        "the log lines written, the replies sent, the connection tracking state and the verdict. Nothing in the\n" +
        "state directory changes.\n" +
        "\n" +
        "Packet:\n" +
        "  -p, --proto PROTO        tcp (default), udp, icmp, sctp or a protocol number\n" +
        "  -s, --src ADDRESS        source address\n" +
        "  -d, --dst ADDRESS        destination address\n" +
        "      --sport PORT         source port (default 40000)\n" +
        "      --dport PORT         destination port (default 80)\n" +
        "      --flags FLAGS        TCP flags, e.g. SYN or SYN,ACK (default SYN, then ACK)\n" +
        "      --seq N, --ack N     TCP sequence and acknowledgment numbers (default: a consistent connection)\n" +
        "      --icmp-type TYPE     ICMP type: a name (echo-request, port-unreachable...) or TYPE[/CODE]\n" +
        "      --icmp-id N          ICMP echo identifier\n" +
        "  -i, --in IFACE           received on IFACE (default: the interface whose subnet holds the source)\n" +
        "      --local              sent by the host itself (OUTPUT); implied when the source is a host address\n" +
        "      --uid N, --gid N     owner of the sending socket (with --local)\n" +
        "      --ttl N, --tos N, --id N, --no-df, --len N (payload bytes), --mark N, --mac MAC (source MAC)\n" +
        "      --reply              the answer to the previous packet: addresses and ports swapped\n" +
        "      --then               starts the next packet, which repeats the previous one's options\n" +
        "\n" +
        "Host (default: the state directory's host; without one, a host owning the destination address):\n" +
        "      --iface NAME=ADDRESS/PREFIXLEN[,mac=MAC]   an interface (repeatable)\n" +
        "      --forwarding         the host forwards packets not addressed to it\n" +
        "      --json               machine-readable output\n";

    public List<TracePacket> Packets { get; } = [];

    public List<(string Name, Ipv4Address Address, int PrefixLength, MacAddress? Mac)> Interfaces { get; } = [];

    public bool Forwarding { get; private set; }

    public bool Json { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses the arguments; on error returns false with a message.</summary>
    public static bool TryParse(IReadOnlyList<string> args, out TraceArguments result, out string error)
    {
        result = new TraceArguments();
        error = string.Empty;
        var packet = new TracePacket();
        bool any = false;
        try
        {
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                string Value()
                {
                    if (i + 1 >= args.Count)
                    {
                        throw new FormatException($"option {arg} requires a value");
                    }

                    return args[++i];
                }

                switch (arg)
                {
                    case "-h":
                    case "--help":
                        result.Help = true;
                        return true;
                    case "--json":
                        result.Json = true;
                        break;
                    case "--forwarding":
                        result.Forwarding = true;
                        break;
                    case "--iface":
                        result.Interfaces.Add(ParseInterface(Value()));
                        break;
                    case "--then":
                        result.Packets.Add(packet);
                        packet = packet.Next();
                        any = false;
                        break;
                    case "--reply":
                        packet.Reply = true;
                        any = true;
                        break;
                    case "-p":
                    case "--proto":
                        packet.Protocol = ParseProtocol(Value());
                        packet.ProtocolGiven = true;
                        any = true;
                        break;
                    case "-s":
                    case "--src":
                        packet.Source = ParseAddress(Value());
                        any = true;
                        break;
                    case "-d":
                    case "--dst":
                        packet.Destination = ParseAddress(Value());
                        any = true;
                        break;
                    case "--sport":
                        packet.SourcePort = ParsePort(Value());
                        any = true;
                        break;
                    case "--dport":
                        packet.DestinationPort = ParsePort(Value());
                        any = true;
                        break;
                    case "--flags":
                        packet.TcpFlags = ParseFlags(Value());
                        any = true;
                        break;
                    case "--seq":
                        packet.Sequence = ParseNumber<uint>(Value(), arg);
                        break;
                    case "--ack":
                        packet.Acknowledgment = ParseNumber<uint>(Value(), arg);
                        break;
                    case "--icmp-type":
                        ParseIcmpType(Value(), packet);
                        if (!packet.ProtocolGiven)
                        {
                            packet.Protocol = 1;
                        }

                        any = true;
                        break;
                    case "--icmp-id":
                        packet.IcmpId = ParseNumber<ushort>(Value(), arg);
                        break;
                    case "-i":
                    case "--in":
                        packet.InInterface = Value();
                        any = true;
                        break;
                    case "--local":
                        packet.Local = true;
                        any = true;
                        break;
                    case "--uid":
                        packet.Uid = ParseNumber<uint>(Value(), arg);
                        break;
                    case "--gid":
                        packet.Gid = ParseNumber<uint>(Value(), arg);
                        break;
                    case "--ttl":
                        packet.Ttl = ParseNumber<byte>(Value(), arg);
                        break;
                    case "--tos":
                        packet.Tos = ParseNumber<byte>(Value(), arg);
                        break;
                    case "--id":
                        packet.Id = ParseNumber<ushort>(Value(), arg);
                        break;
                    case "--no-df":
                        packet.DontFragment = false;
                        break;
                    case "--len":
                        packet.PayloadLength = ParseNumber<ushort>(Value(), arg);
                        break;
                    case "--mark":
                        packet.Mark = ParseNumber<uint>(Value(), arg);
                        break;
                    case "--mac":
                        packet.SourceMac = MacAddress.TryParse(Value(), out var mac) ? mac : throw new FormatException($"bad MAC address `{args[i]}'");
                        break;
                    default:
                        throw new FormatException($"unknown option `{arg}'");
                }
            }
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }

        if (any || result.Packets.Count == 0)
        {
            result.Packets.Add(packet);
        }

        if (result.Packets[0].Reply)
        {
            error = "--reply needs a previous packet";
            return false;
        }

        if (result.Packets[0].Source is null || result.Packets[0].Destination is null)
        {
            error = "the first packet needs a source (-s) and a destination (-d)";
            return false;
        }

        return true;
    }

    public static (string Name, Ipv4Address Address, int PrefixLength, MacAddress? Mac) ParseInterface(string text)
    {
        int equals = text.IndexOf('=');
        if (equals <= 0)
        {
            throw new FormatException($"bad interface `{text}': expected NAME=ADDRESS/PREFIXLEN[,mac=MAC]");
        }

        string name = text[..equals];
        string[] parts = text[(equals + 1)..].Split(',');
        int slash = parts[0].IndexOf('/');
        if (slash < 0 || !Ipv4Address.TryParse(parts[0].AsSpan(0, slash), out var address)
            || !int.TryParse(parts[0].AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) || prefix > 32)
        {
            throw new FormatException($"bad interface address `{parts[0]}': expected ADDRESS/PREFIXLEN");
        }

        MacAddress? mac = null;
        foreach (string option in parts.Skip(1))
        {
            if (option.StartsWith("mac=", StringComparison.Ordinal) && MacAddress.TryParse(option.AsSpan(4), out var parsed))
            {
                mac = parsed;
            }
            else
            {
                throw new FormatException($"bad interface option `{option}'");
            }
        }

        return (name, address, prefix, mac);
    }

    private static Ipv4Address ParseAddress(string text) =>
        Ipv4Address.TryParse(text, out var address) ? address : throw new FormatException($"bad address `{text}'");

    private static ushort ParsePort(string text) => ParseNumber<ushort>(text, "port");

    private static T ParseNumber<T>(string text, string what)
        where T : System.Numerics.IBinaryInteger<T> =>
        T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new FormatException($"bad value `{text}' for {what}");

    private static byte ParseProtocol(string text) => text.ToLowerInvariant() switch
    {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        "sctp" => 132,
        "udplite" => 136,
        "esp" => 50,
        "ah" => 51,
        "gre" => 47,
        _ => ParseNumber<byte>(text, "protocol"),
    };

    private static byte ParseFlags(string text)
    {
        byte flags = 0;
        foreach (string name in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            flags |= name.ToUpperInvariant() switch
            {
                "FIN" => TcpHeader.Fin,
                "SYN" => TcpHeader.Syn,
                "RST" => TcpHeader.Rst,
                "PSH" => TcpHeader.Psh,
                "ACK" => TcpHeader.Ack,
                "URG" => TcpHeader.Urg,
                "ECE" => TcpHeader.Ece,
                "CWR" => TcpHeader.Cwr,
                "NONE" => 0,
                _ => throw new FormatException($"unknown TCP flag `{name}'"),
            };
        }

        return flags;
    }

    private static void ParseIcmpType(string text, TracePacket packet)
    {
        if (IcmpMatch.TryLookupName(text, out byte type, out byte code))
        {
            packet.IcmpType = type;
            packet.IcmpCode = code;
            return;
        }

        int slash = text.IndexOf('/');
        packet.IcmpType = ParseNumber<byte>(slash < 0 ? text : text[..slash], "--icmp-type");
        packet.IcmpCode = slash < 0 ? (byte)0 : ParseNumber<byte>(text[(slash + 1)..], "--icmp-type");
    }
}
