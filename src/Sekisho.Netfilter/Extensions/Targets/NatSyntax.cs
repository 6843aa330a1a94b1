using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Extensions.Targets;

/// <summary>What the NAT targets share: parsing of address and port ranges, and their printed form.</summary>
/// <remarks>
/// libxt_NAT's <c>parse_to()</c>, <c>parse_ports()</c>, <c>sprint_range()</c> and <c>__NAT_print()</c> for IPv4,
/// with the same acceptance rules and messages.
/// </remarks>
internal static class NatSyntax
{
    /// <summary>Option ids shared by the NAT targets' option tables (libxt_NAT's <c>O_*</c>).</summary>
    internal const int ToDestination = 0;

    /// <summary><c>O_TO_SRC</c>.</summary>
    internal const int ToSource = 1;

    /// <summary><c>O_TO_PORTS</c>.</summary>
    internal const int ToPorts = 2;

    /// <summary><c>O_RANDOM</c>.</summary>
    internal const int Random = 3;

    /// <summary><c>O_RANDOM_FULLY</c>.</summary>
    internal const int RandomFully = 4;

    /// <summary><c>O_PERSISTENT</c>.</summary>
    internal const int Persistent = 5;

    /// <summary>
    /// Whether the rule's protocol (so far) allows a port specification: TCP, UDP, SCTP, DCCP, and ICMP (whose
    /// id takes the place of the port). The protocol is taken even when <c>-p</c> is inverted, as iptables does.
    /// </summary>
    internal static bool PortsAllowed(EntryContext entry) => entry.Protocol is 6 or 17 or 132 or 33 or 1;

    /// <summary>
    /// <c>parse_to()</c>: <c>[address[-address]][:port[-port[/port]]]</c>. Ports are parsed first; a colon at
    /// the very start (or third position) means there is no address part.
    /// </summary>
    internal static NatRange ParseTo(string arg, bool portsAllowed, NatRange range, INameService names)
    {
        if (arg.Contains('['))
        {
            // Brackets are for IPv6 addresses only.
            throw XtablesException.Parameter("Invalid address format");
        }

        int colon = arg.IndexOf(':');
        if (colon >= 0 && arg.IndexOf(':', colon + 1) >= 0)
        {
            // More than one colon: taken for an (IPv6) address, which then does not parse.
            colon = -1;
        }

        string addresses = arg;
        if (colon >= 0)
        {
            range = ParsePorts(arg[(colon + 1)..], portsAllowed, range, names);

            // iptables skips the address part when the colon is at the start or at "[]:"'s position.
            if (colon == 0 || colon == 2)
            {
                return range;
            }

            addresses = arg[..colon];
        }

        range = range with { Flags = range.Flags | NatRangeFlags.MapIps };
        int dash = addresses.IndexOf('-');
        string first = dash >= 0 ? addresses[..dash] : addresses;
        if (!Ipv4Address.TryParse(first, out var min))
        {
            throw XtablesException.Parameter($"Bad IP address \"{first}\"");
        }

        var max = min;
        if (dash >= 0)
        {
            string last = addresses[(dash + 1)..];
            if (!Ipv4Address.TryParse(last, out max))
            {
                throw XtablesException.Parameter($"Bad IP address \"{last}\"");
            }
        }

        return range with { MinAddress = min, MaxAddress = max };
    }

    /// <summary>
    /// <c>parse_ports()</c>: <c>port[-port[/port]]</c>. The first port and the base port may be service names
    /// (of any protocol); the last port of a range must be a number.
    /// </summary>
    internal static NatRange ParsePorts(string arg, bool portsAllowed, NatRange range, INameService names)
    {
        if (!portsAllowed)
        {
            throw XtablesException.Parameter("Need TCP, UDP, SCTP or DCCP with port specification");
        }

        range = range with { Flags = range.Flags | NatRangeFlags.ProtoSpecified };
        if (!CNumbers.TryStrToUI(arg, 0, out int end, out uint port, 0, ushort.MaxValue))
        {
            int service = names.ServiceToPort(arg, null);
            if (service < 0)
            {
                throw XtablesException.Parameter($"Port `{arg}' not valid");
            }

            port = (uint)service;
            end = arg.Length;
        }

        if (end == arg.Length)
        {
            return range with { MinPort = (ushort)port, MaxPort = (ushort)port };
        }

        switch (arg[end])
        {
            case '-':
                break;
            case ':':
                throw XtablesException.Parameter("Invalid port:port syntax - use dash");
            default:
                throw XtablesException.Parameter($"Garbage after port value: `{arg[end..]}'");
        }

        string rest = arg[(end + 1)..];
        if (!CNumbers.TryStrToUI(rest, 0, out end, out uint maxPort, 0, ushort.MaxValue))
        {
            throw XtablesException.Parameter($"Port `{rest}' not valid");
        }

        if (maxPort < port)
        {
            throw XtablesException.Parameter($"Port range `{rest}' funky");
        }

        range = range with { MinPort = (ushort)port, MaxPort = (ushort)maxPort };
        if (end == rest.Length)
        {
            return range;
        }

        if (rest[end] != '/')
        {
            throw XtablesException.Parameter($"Garbage after port range: `{rest[end..]}'");
        }

        // Whatever follows a numeric base port is ignored, as iptables ignores it.
        string baseText = rest[(end + 1)..];
        if (!CNumbers.TryStrToUI(baseText, 0, out _, out uint basePort, 1, ushort.MaxValue))
        {
            int service = names.ServiceToPort(baseText, null);
            if (service < 0)
            {
                throw XtablesException.Parameter($"Port `{baseText}' not valid");
            }

            basePort = (uint)service;
        }

        return range with { Flags = range.Flags | NatRangeFlags.ProtoOffset, BasePort = (ushort)basePort };
    }

    /// <summary>The flag an option without argument sets.</summary>
    internal static NatRangeFlags FlagOf(int optionId) => optionId switch
    {
        Random => NatRangeFlags.ProtoRandom,
        RandomFully => NatRangeFlags.ProtoRandomFully,
        Persistent => NatRangeFlags.Persistent,
        _ => NatRangeFlags.None,
    };

    /// <summary>
    /// <c>__NAT_print()</c>: the range after <paramref name="rangeOption"/> (without its leading colon when
    /// <paramref name="skipColon"/> and there is no address), then the flags with <paramref name="flagPrefix"/>.
    /// </summary>
    internal static void Print(StringBuilder output, in NatRange range, string rangeOption, string flagPrefix,
        bool skipColon, bool exact = false)
    {
        string text = FormatRange(range, exact);
        if (text.Length != 0)
        {
            if (skipColon && text[0] == ':')
            {
                text = text[1..];
            }

            output.Append(' ').Append(rangeOption).Append(text);
        }

        if ((range.Flags & NatRangeFlags.ProtoRandom) != 0)
        {
            output.Append(' ').Append(flagPrefix).Append("random");
        }

        if ((range.Flags & NatRangeFlags.ProtoRandomFully) != 0)
        {
            output.Append(' ').Append(flagPrefix).Append("random-fully");
        }

        if ((range.Flags & NatRangeFlags.Persistent) != 0)
        {
            output.Append(' ').Append(flagPrefix).Append("persistent");
        }
    }

    /// <summary><c>sprint_range()</c>: <c>min[-max]</c> when addresses are mapped, then <c>:lo[-hi][/base]</c>.</summary>
    /// <remarks>
    /// With <paramref name="exact"/> (Sekisho's state file) the form is one that parses back to the same range,
    /// which iptables' own is not in two cases: a single port with a base port (":10/7" is refused, "10-10/7" is
    /// not) and the base port 0 that the revision-0 targets keep after dropping the base ("/0" is refused; any
    /// base parses back to 0 for them).
    /// </remarks>
    internal static string FormatRange(in NatRange range, bool exact = false)
    {
        var text = new StringBuilder();
        if ((range.Flags & NatRangeFlags.MapIps) != 0)
        {
            text.Append(range.MinAddress.ToString());
            if (range.MaxAddress != range.MinAddress)
            {
                text.Append('-').Append(range.MaxAddress.ToString());
            }
        }

        if ((range.Flags & NatRangeFlags.ProtoSpecified) != 0)
        {
            bool offset = (range.Flags & NatRangeFlags.ProtoOffset) != 0;
            text.Append(':').Append(range.MinPort.ToString(CultureInfo.InvariantCulture));
            if (range.MaxPort != range.MinPort || (exact && offset))
            {
                text.Append('-').Append(range.MaxPort.ToString(CultureInfo.InvariantCulture));
            }

            if (offset)
            {
                ushort basePort = exact && range.BasePort == 0 ? (ushort)1 : range.BasePort;
                text.Append('/').Append(basePort.ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }
}
