using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Iptables.Parsing;

/// <summary>
/// A shortcut for the commonest rule lines of large restore files: <c>-A</c> with addresses, interfaces, a
/// protocol, tcp/udp ports and a verdict or chain, all written the way iptables-save writes them.
/// </summary>
/// <remarks>
/// <para>
/// A line qualifies only when every token is in its canonical form (decimal numbers without leading zeros,
/// dotted-quad addresses, the exact option names iptables-save prints) and nothing in it could produce a warning
/// or an error. For such a line the result is by construction the one <see cref="CommandParser"/> produces; any
/// other line (an abbreviation, a service name, a repeated option, an extension target, a mistake) is left to
/// the general parser, which then gives iptables' exact behaviour, message and all. A property test holds the
/// two parsers to the same results.
/// </para>
/// <para>
/// Large rulesets are dominated by such lines (address and port lists: block lists, ClassBench, generated
/// firewalls), and so is Sekisho's own state file, which is read on every command.
/// </para>
/// </remarks>
internal static class FastRuleParser
{
    /// <summary>
    /// Parses <c>iptables-restore -t TABLE [--set-counters P B] -A ...</c>; false when the line is not one the
    /// shortcut takes (the caller then uses <see cref="CommandParser"/>).
    /// </summary>
    public static bool TryParse(List<string> argv, out ParsedCommand command)
    {
        command = null!;
        var cmd = new ParsedCommand();
        int i = 1;
        if (argv.Count < 5 || argv[i] != "-t")
        {
            return false;
        }

        cmd.Table = argv[i + 1];
        i += 2;
        if (argv[i] == "--set-counters")
        {
            if (i + 2 >= argv.Count || !PlainDecimal.TryParse(argv[i + 1].AsSpan(), ulong.MaxValue, out ulong packets) ||
                !PlainDecimal.TryParse(argv[i + 2].AsSpan(), ulong.MaxValue, out ulong bytes))
            {
                return false;
            }

            cmd.Options |= OptionFlags.Counters;
            cmd.PacketCounter = packets;
            cmd.ByteCounter = bytes;
            i += 3;
        }

        if (i + 1 >= argv.Count || argv[i] != "-A" || !IsChainName(argv[i + 1]))
        {
            return false;
        }

        cmd.Command = CommandKind.Append;
        cmd.Chain = argv[i + 1];
        i += 2;

        var ip = default(IpHeaderMatch);
        var inv = IpInvFlags.None;
        bool haveSource = false, haveDestination = false;
        ushort[]? ports = null;
        string? portMatch = null;
        byte portInvert = 0;
        while (i < argv.Count)
        {
            bool invert = false;
            if (argv[i] == "!")
            {
                invert = true;
                i++;
                if (i >= argv.Count)
                {
                    return false;
                }
            }

            string option = argv[i];
            if (option is "-j" or "-g")
            {
                // The target comes last: nothing may follow it here.
                if (invert || i + 2 != argv.Count || !SetTarget(cmd, argv[i + 1], option == "-g"))
                {
                    return false;
                }

                i += 2;
                break;
            }

            if (i + 1 >= argv.Count)
            {
                return false;
            }

            string value = argv[i + 1];
            i += 2;
            switch (option)
            {
                case "-s" when !haveSource:
                    if (!TryPrefix(value, out var source, out var sourceMask))
                    {
                        return false;
                    }

                    haveSource = true;
                    cmd.Options |= OptionFlags.Source;
                    cmd.Sources.Add((source, sourceMask));
                    inv |= invert ? IpInvFlags.Source : 0;
                    break;
                case "-d" when !haveDestination:
                    if (!TryPrefix(value, out var destination, out var destinationMask))
                    {
                        return false;
                    }

                    haveDestination = true;
                    cmd.Options |= OptionFlags.Destination;
                    cmd.Destinations.Add((destination, destinationMask));
                    inv |= invert ? IpInvFlags.Destination : 0;
                    break;
                case "-i" when (cmd.Options & OptionFlags.InInterface) == 0 && IsPlainInterface(value):
                    cmd.Options |= OptionFlags.InInterface;
                    ip = ip with { InInterface = new InterfaceName(value) };
                    inv |= invert ? IpInvFlags.InInterface : 0;
                    break;
                case "-o" when (cmd.Options & OptionFlags.OutInterface) == 0 && IsPlainInterface(value):
                    cmd.Options |= OptionFlags.OutInterface;
                    ip = ip with { OutInterface = new InterfaceName(value) };
                    inv |= invert ? IpInvFlags.OutInterface : 0;
                    break;
                case "-p" when (cmd.Options & OptionFlags.Protocol) == 0:
                    if (!TryProtocol(value, out byte protocol) || (protocol == 0 && invert))
                    {
                        return false;
                    }

                    cmd.Options |= OptionFlags.Protocol;
                    ip = ip with { Protocol = protocol };
                    inv |= invert ? IpInvFlags.Protocol : 0;
                    break;
                case "-m" when portMatch == null && !invert && (value is "tcp" or "udp"):
                    portMatch = value;
                    ports = [0, ushort.MaxValue, 0, ushort.MaxValue];
                    break;
                case "--sport" or "--dport":
                    // Either after "-m tcp|udp", or loading the protocol's match implicitly after "-p tcp|udp" (a
                    // later "-m tcp" would then add a second match, which the shortcut declines).
                    if (portMatch == null)
                    {
                        if ((cmd.Options & OptionFlags.Protocol) == 0 || ip.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp))
                        {
                            return false;
                        }

                        portMatch = ip.Protocol == IpProtocol.Tcp ? "tcp" : "udp";
                        ports = [0, ushort.MaxValue, 0, ushort.MaxValue];
                    }

                    int slot = option == "--sport" ? 0 : 2;
                    byte bit = option == "--sport" ? (byte)1 : (byte)2;
                    if ((portInvert & (bit << 4)) != 0 || !TryPortRange(value, out ushort min, out ushort max))
                    {
                        return false;
                    }

                    ports![slot] = min;
                    ports[slot + 1] = max;
                    portInvert |= (byte)((bit << 4) | (invert ? bit : 0));
                    break;
                default:
                    return false;
            }
        }

        if (portMatch != null)
        {
            byte invertBits = (byte)(portInvert & 0x3);
            cmd.Matches.Add(portMatch == "tcp"
                ? new TcpMatch(ports![0], ports[1], ports[2], ports[3], 0, 0, 0, (TcpMatch.Inversions)invertBits)
                : new UdpMatch(ports![0], ports[1], ports[2], ports[3], (UdpMatch.Inversions)invertBits));
        }

        if (!haveSource)
        {
            cmd.Sources.Add((default, default));
        }

        if (!haveDestination)
        {
            cmd.Destinations.Add((default, default));
        }

        // The checks do_parse makes after the loop; a line that would fail them goes to the real parser.
        if (cmd.Table == "nat" && cmd.JumpTo == "DROP")
        {
            return false;
        }

        if (((cmd.Chain == "PREROUTING" || cmd.Chain == "INPUT") && (cmd.Options & OptionFlags.OutInterface) != 0) ||
            ((cmd.Chain == "POSTROUTING" || cmd.Chain == "OUTPUT") && (cmd.Options & OptionFlags.InInterface) != 0))
        {
            return false;
        }

        cmd.Ip = ip with { Flags = cmd.Goto ? IpFlags.Goto : IpFlags.None, InvFlags = inv };
        command = cmd;
        return true;
    }

    private static bool SetTarget(ParsedCommand cmd, string name, bool isGoto)
    {
        if (!IsChainName(name))
        {
            return false;
        }

        cmd.Options |= OptionFlags.Jump;
        cmd.JumpTo = name;
        if (isGoto)
        {
            cmd.Goto = true;
            return true;
        }

        if (VerdictTarget.FromName(name) is { } verdict)
        {
            cmd.Target = verdict;
            cmd.TargetIsExtension = true;
            return true;
        }

        // A target extension has options to parse: not for the shortcut.
        return ExtensionRegistry.FindTarget(name) == null;
    }

    /// <summary>A name that the parser would take as a chain or target without complaint.</summary>
    private static bool IsChainName(string name)
    {
        if (name.Length == 0 || name.Length >= Xt.ExtensionMaxNameLength || name[0] is '-' or '!')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsPlainInterface(string name)
    {
        if (name.Length == 0 || name.Length >= Xt.InterfaceNameSize || name[0] is '-' or '!')
        {
            return false;
        }

        foreach (char c in name)
        {
            if (c <= ' ' || c >= 0x7F || c == '/')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The protocol names iptables-save prints for the protocols the shortcut knows.</summary>
    private static bool TryProtocol(string text, out byte protocol)
    {
        switch (text)
        {
            case "tcp":
                protocol = IpProtocol.Tcp;
                return true;
            case "udp":
                protocol = IpProtocol.Udp;
                return true;
            case "icmp":
                protocol = IpProtocol.Icmp;
                return true;
            case "all":
                protocol = 0;
                return true;
            default:
                bool ok = PlainDecimal.TryParse(text.AsSpan(), byte.MaxValue, out ulong number);
                protocol = (byte)number;
                return ok;
        }
    }

    /// <summary><c>a.b.c.d</c> or <c>a.b.c.d/len</c>, decimal, as iptables-save writes them; masked.</summary>
    private static bool TryPrefix(string text, out Ipv4Address address, out Ipv4Address mask)
    {
        address = default;
        mask = Ipv4Address.Broadcast;
        int slash = text.IndexOf('/');
        if (!Ipv4Address.TryParse(slash < 0 ? text : text.AsSpan(0, slash), out address))
        {
            return false;
        }

        if (slash >= 0)
        {
            if (!PlainDecimal.TryParse(text.AsSpan(slash + 1), 32, out ulong length))
            {
                return false;
            }

            mask = Ipv4Address.MaskFromPrefix((int)length);
        }

        address &= mask;
        return true;
    }

    /// <summary><c>port</c> or <c>lo:hi</c> with lo &lt;= hi, decimal.</summary>
    private static bool TryPortRange(string text, out ushort min, out ushort max)
    {
        min = max = 0;
        int colon = text.IndexOf(':');
        if (colon < 0)
        {
            if (!PlainDecimal.TryParse(text.AsSpan(), ushort.MaxValue, out ulong port))
            {
                return false;
            }

            min = max = (ushort)port;
            return true;
        }

        if (!PlainDecimal.TryParse(text.AsSpan(0, colon), ushort.MaxValue, out ulong low) ||
            !PlainDecimal.TryParse(text.AsSpan(colon + 1), ushort.MaxValue, out ulong high) || low > high)
        {
            return false;
        }

        min = (ushort)low;
        max = (ushort)high;
        return true;
    }

}
