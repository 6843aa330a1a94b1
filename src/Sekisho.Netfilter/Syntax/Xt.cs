using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Syntax;

/// <summary>The helpers of libxtables that extensions and the command parser share.</summary>
/// <remarks>
/// Reimplements, with the same acceptance rules and messages, libxtables' protocol, port, address, interface,
/// MAC and mark parsing and its number and string printing.
/// </remarks>
public static class Xt
{
    /// <summary>IFNAMSIZ.</summary>
    public const int InterfaceNameSize = 16;

    /// <summary>XT_EXTENSION_MAXNAMELEN (also the chain name limit).</summary>
    public const int ExtensionMaxNameLength = 29;

    /// <summary>XT_TABLE_MAXNAMELEN.</summary>
    public const int TableMaxNameLength = 32;

    private static readonly (string Name, byte Number)[] s_chainProtocols =
    [
        ("tcp", 6), ("sctp", 132), ("udp", 17), ("udplite", 136), ("icmp", 1), ("ipv6-icmp", 58),
        ("icmpv6", 58), ("esp", 50), ("ah", 51), ("mobility-header", 135), ("ipv6-mh", 135), ("mh", 135),
        ("all", 0),
    ];

    /// <summary>The length of a string in bytes, as C's <c>strlen</c> sees its UTF-8 form.</summary>
    public static int CLength(string s) => CLength(s.AsSpan());

    /// <summary>The length of text in bytes, as C's <c>strlen</c> sees its UTF-8 form.</summary>
    public static int CLength(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (c >= 0x80)
            {
                return Encoding.UTF8.GetByteCount(s);
            }
        }

        return s.Length;
    }

    /// <summary>
    /// A string as it lands in a kernel <c>char[size]</c> buffer through libxtables (<c>XTOPT_PUT</c> of a
    /// string option): cut to <paramref name="size"/> - 1 bytes of its UTF-8 form.
    /// </summary>
    public static string FitString(string value, int size)
    {
        if (CLength(value) < size)
        {
            return value;
        }

        var bytes = Encoding.UTF8.GetBytes(value);
        return Encoding.UTF8.GetString(bytes, 0, size - 1);
    }

    /// <summary>
    /// <c>xtables_param_act(XTF_BAD_VALUE, module, option, value)</c>: the error for a value an extension
    /// does not understand.
    /// </summary>
    public static XtablesException BadValue(string module, string option, string value) =>
        XtablesException.Parameter($"{module}: Bad value for \"{option}\" option: \"{value}\"");

    /// <summary><c>xtables_parse_protocol</c>: a number 0..255, a name of iptables' table, or /etc/protocols.</summary>
    public static byte ParseProtocol(string s, INameService names)
    {
        if (CNumbers.TryStrToUI(s, out uint number, 0, 255))
        {
            return (byte)number;
        }

        foreach (var (name, num) in s_chainProtocols)
        {
            if (name == s)
            {
                return num;
            }
        }

        int proto = names.ProtocolByName(s);
        if (proto >= 0)
        {
            return (byte)proto;
        }

        throw XtablesException.Parameter($"unknown protocol \"{s}\" specified");
    }

    /// <summary>
    /// <c>proto_to_name</c>: iptables' own protocol names first, then <c>getprotobynumber</c> unless
    /// <paramref name="noLookup"/>; null when there is no name.
    /// </summary>
    public static string? ProtocolToName(byte protocol, bool noLookup, INameService names)
    {
        foreach (var (name, num) in s_chainProtocols)
        {
            if (num == protocol)
            {
                return name;
            }
        }

        if (protocol != 0 && !noLookup)
        {
            return names.ProtocolByNumber(protocol);
        }

        return null;
    }

    /// <summary><c>xtables_parse_port</c>: a number 0..65535 or a service name for the protocol.</summary>
    public static ushort ParsePort(string port, string? protocol, INameService names)
    {
        if (CNumbers.TryStrToUI(port, out uint number, 0, ushort.MaxValue))
        {
            return (ushort)number;
        }

        int service = names.ServiceToPort(port, protocol);
        if (service >= 0)
        {
            return (ushort)service;
        }

        throw XtablesException.Parameter($"invalid port/service `{port}' specified");
    }

    /// <summary><c>xtables_ipaddr_to_numeric</c>.</summary>
    public static string IpAddressToNumeric(Ipv4Address address) => address.ToString();

    /// <summary><c>xtables_ipaddr_to_anyname</c>: host name, else network name, else numeric.</summary>
    public static string IpAddressToAnyName(Ipv4Address address, INameService names) =>
        names.AddressToHost(address) ?? names.NetworkByAddress(address) ?? address.ToString();

    /// <summary><c>xtables_ipmask_to_cidr</c>: the prefix length, or -1 for a non-contiguous mask.</summary>
    public static int IpMaskToCidr(Ipv4Address mask) => mask.PrefixLength;

    /// <summary><c>xtables_ipmask_to_numeric</c>: "" for /32, "/N" for contiguous masks, else "/a.b.c.d".</summary>
    public static string IpMaskToNumeric(Ipv4Address mask)
    {
        int cidr = mask.PrefixLength;
        if (cidr == -1)
        {
            return "/" + mask;
        }

        return cidr == 32 ? string.Empty : "/" + cidr.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>xtables_numeric_to_ipaddr</c>: dotted decimal with each part 0..255 in C's base-0 notation; an
    /// address with fewer than four parts is completed with zeros ("10" is 10.0.0.0).
    /// </summary>
    public static Ipv4Address? NumericToIpAddress(string dotted) => NumericToIp(dotted, false);

    /// <summary><c>xtables_numeric_to_ipmask</c>: like an address, but all four parts are required.</summary>
    public static Ipv4Address? NumericToIpMask(string dotted) => NumericToIp(dotted, true);

    private static Ipv4Address? NumericToIp(string dotted, bool isMask) =>
        TryNumericToIp(dotted, isMask, out var address) ? address : null;

    /// <summary>
    /// <c>__numeric_to_ipaddr</c> over a span: dotted decimal with each part 0..255 in C's base-0 notation, all
    /// four parts for a mask, missing trailing parts zero for an address.
    /// </summary>
    private static bool TryNumericToIp(ReadOnlySpan<char> dotted, bool isMask, out Ipv4Address address)
    {
        address = default;

        // iptables copies into a 20-byte buffer first, so only the first 19 characters count.
        if (dotted.Length > 19)
        {
            dotted = dotted[..19];
        }

        uint value = 0;
        int p = 0;
        for (int i = 0; i < 3; i++)
        {
            int q = dotted[p..].IndexOf('.');
            if (q < 0)
            {
                if (isMask || !TryPart(dotted[p..], out uint last))
                {
                    return false;
                }

                // An address with fewer parts is completed with zeros: "10" is 10.0.0.0.
                value = (value << 8) | last;
                address = new Ipv4Address(value << (8 * (3 - i)));
                return true;
            }

            if (!TryPart(dotted.Slice(p, q), out uint one))
            {
                return false;
            }

            value = (value << 8) | one;
            p += q + 1;
        }

        if (!TryPart(dotted[p..], out uint fourth))
        {
            return false;
        }

        address = new Ipv4Address((value << 8) | fourth);
        return true;

        // xtables_strtoui on the NUL-terminated part: a number 0..255 filling the whole part.
        static bool TryPart(ReadOnlySpan<char> part, out uint value)
        {
            value = 0;
            if (part.IsEmpty || !CNumbers.TryStrToUL(part, out int end, out ulong v, 0, 255) || end != part.Length)
            {
                return false;
            }

            value = (uint)v;
            return true;
        }
    }

    /// <summary>
    /// glibc's <c>inet_aton_exact</c>, which <c>getaddrinfo(..., AI_NUMERICHOST)</c> uses for IPv4: one to four
    /// parts in C notation (decimal, 0 octal, 0x hex), the last part filling the remaining bytes ("10.1" is
    /// 10.0.0.1, "0xffffff00" is 255.255.255.0); nothing may follow. Null when the text is not such an address.
    /// </summary>
    public static Ipv4Address? InetAtonExact(string text)
    {
        uint[] maxOfLast = [uint.MaxValue, 0xFFFFFF, 0xFFFF, 0xFF];
        uint address = 0;
        int parts = 0;
        int p = 0;
        ulong value;
        while (true)
        {
            if (p >= text.Length || !char.IsAsciiDigit(text[p]))
            {
                return null;
            }

            value = CNumbers.StrToUMax(text, p, out int end, out bool overflow);
            if (overflow || value > uint.MaxValue)
            {
                return null;
            }

            p = end;
            if (p < text.Length && text[p] == '.')
            {
                if (parts > 2 || value > 0xFF)
                {
                    return null;
                }

                address |= (uint)value << (24 - (8 * parts));
                parts++;
                p++;
                continue;
            }

            break;
        }

        if (p != text.Length || value > maxOfLast[parts])
        {
            return null;
        }

        return new Ipv4Address(address | (uint)value);
    }


    /// <summary><c>parse_ipmask</c>: dotted mask or prefix length 0..32; null mask means /32.</summary>
    public static Ipv4Address ParseIpMask(string? mask)
    {
        if (mask == null)
        {
            return Ipv4Address.Broadcast;
        }

        if (NumericToIpMask(mask) is { } dotted)
        {
            return dotted;
        }

        if (!CNumbers.TryStrToUI(mask, out uint bits, 0, 32))
        {
            throw XtablesException.Parameter($"invalid mask `{mask}' specified");
        }

        return Ipv4Address.MaskFromPrefix((int)bits);
    }

    /// <summary>
    /// <c>ipparse_hostnetwork</c>: numeric address, network name (/etc/networks) or host name (every address
    /// it resolves to).
    /// </summary>
    public static Ipv4Address[] ParseHostNetwork(string name, INameService names)
    {
        if (NumericToIpAddress(name) is { } numeric)
        {
            return [numeric];
        }

        if (names.NetworkByName(name) is { } network)
        {
            return [network];
        }

        if (names.ResolveHost(name, out _) is { } hosts)
        {
            return hosts;
        }

        throw XtablesException.Parameter($"host/network `{name}' not found");
    }

    /// <summary>
    /// <c>xtables_ipparse_multiple</c>: comma-separated <c>address[/mask]</c> items; a host name that resolves
    /// to several addresses yields each of them. Addresses come back masked.
    /// </summary>
    public static List<(Ipv4Address Address, Ipv4Address Mask)> ParseMultiple(string name, INameService names)
    {
        var result = new List<(Ipv4Address, Ipv4Address)>();
        ParseMultiple(name, names, result);
        return result;
    }

    /// <summary><c>xtables_ipparse_multiple</c> into an existing list.</summary>
    public static void ParseMultiple(string name, INameService names, List<(Ipv4Address Address, Ipv4Address Mask)> result)
    {
        int loop = 0;
        while (true)
        {
            while (loop < name.Length && CNumbers.IsCSpace(name[loop]))
            {
                loop++;
            }

            int next = name.IndexOf(',', loop);
            var item = name.AsSpan(loop, (next < 0 ? name.Length : next) - loop);
            if (CLength(item) > 255)
            {
                throw XtablesException.Parameter("Hostname too long");
            }

            int slash = item.LastIndexOf('/');
            Ipv4Address mask;
            if (slash >= 0)
            {
                var maskText = item[(slash + 1)..];
                mask = TryNumericToIp(maskText, isMask: true, out var dotted) ? dotted : ParseIpMask(maskText.ToString());
                item = item[..slash];
            }
            else
            {
                mask = Ipv4Address.Broadcast;
            }

            if (mask.Value == 0)
            {
                item = "0.0.0.0";
            }

            // Numeric addresses (the common case, and all of iptables-save's output) need no strings.
            if (TryNumericToIp(item, isMask: false, out var numeric))
            {
                result.Add((numeric & mask, mask));
            }
            else
            {
                foreach (var address in ParseHostNetwork(item.ToString(), names))
                {
                    result.Add((address & mask, mask));
                }
            }

            if (next < 0)
            {
                break;
            }

            loop = next + 1;
        }
    }

    /// <summary>
    /// <c>xtables_ipparse_any</c>: one <c>address[/mask]</c>; a host name may give several addresses, duplicates
    /// (after masking) removed the way iptables removes them.
    /// </summary>
    public static (List<Ipv4Address> Addresses, Ipv4Address Mask) ParseAny(string name, INameService names)
    {
        string buf = name.Length > 255 ? name[..255] : name;
        int slash = buf.LastIndexOf('/');
        Ipv4Address mask;
        if (slash >= 0)
        {
            mask = ParseIpMask(buf[(slash + 1)..]);
            buf = buf[..slash];
        }
        else
        {
            mask = ParseIpMask(null);
        }

        if (mask.Value == 0)
        {
            buf = "0.0.0.0";
        }

        var addresses = ParseHostNetwork(buf, names).ToList();
        // Reproduce the in-place duplicate removal (swap with tail) of xtables_ipparse_any.
        int n = addresses.Count;
        int j = 0;
        for (int i = 0; i < n; ++i)
        {
            addresses[j] = addresses[j] & mask;
            j++;
            for (int k = 0; k < j - 1; ++k)
            {
                if (addresses[k] == addresses[j - 1])
                {
                    addresses[--j] = addresses[--n];
                    break;
                }
            }
        }

        addresses.RemoveRange(n, addresses.Count - n);
        return (addresses, mask);
    }

    /// <summary>
    /// <c>xtables_parse_interface</c>: the name must be shorter than IFNAMSIZ; '/' or ' ' only warn.
    /// </summary>
    public static InterfaceName ParseInterface(string arg, TextWriter stderr)
    {
        if (CLength(arg) + 1 > InterfaceNameSize)
        {
            throw XtablesException.Parameter(
                $"interface name `{arg}' must be shorter than IFNAMSIZ ({InterfaceNameSize - 1})");
        }

        if (arg.Contains('/') || arg.Contains(' '))
        {
            stderr.Write($"Warning: weird character in interface `{arg}' ('/' and ' ' are not allowed by the kernel).\n");
        }

        return new InterfaceName(arg);
    }

    /// <summary>
    /// <c>xtables_print_num</c>: right-aligned counters, with K/M/G/T suffixes unless <paramref name="exact"/>,
    /// without padding when <paramref name="noTable"/>.
    /// </summary>
    public static void PrintNumber(StringBuilder output, ulong number, bool exact, bool noTable)
    {
        if (exact)
        {
            Append(output, number, noTable ? 0 : 8, string.Empty);
            return;
        }

        if (number <= 99999)
        {
            Append(output, number, noTable ? 0 : 5, string.Empty);
            return;
        }

        string[] suffixes = ["K", "M", "G"];
        foreach (string suffix in suffixes)
        {
            number = (number + 500) / 1000;
            if (number <= 9999)
            {
                Append(output, number, noTable ? 0 : 4, suffix);
                return;
            }
        }

        number = (number + 500) / 1000;
        Append(output, number, noTable ? 0 : 4, "T");

        static void Append(StringBuilder output, ulong value, int width, string suffix)
        {
            string text = value.ToString(CultureInfo.InvariantCulture);
            if (text.Length < width)
            {
                output.Append(' ', width - text.Length);
            }

            output.Append(text).Append(suffix).Append(' ');
        }
    }

    /// <summary>
    /// <c>xtables_save_string</c>: a space, then the value bare if it consists only of letters, digits,
    /// '_' and '-', otherwise in double quotes with '"', '\' and '\'' escaped by a backslash.
    /// </summary>
    public static void SaveString(StringBuilder output, string value)
    {
        int length = 0;
        while (length < value.Length && IsNoQuote(value[length]))
        {
            length++;
        }

        output.Append(' ');
        if (length > 0 && length == value.Length)
        {
            output.Append(value);
            return;
        }

        output.Append('"');
        foreach (char c in value)
        {
            if (c is '"' or '\\' or '\'')
            {
                output.Append('\\');
            }

            output.Append(c);
        }

        output.Append('"');

        static bool IsNoQuote(char c) => c is '_' or '-' || char.IsAsciiLetterOrDigit(c);
    }

    /// <summary>
    /// <c>ether_aton</c>: six hex bytes of one or two digits separated by ':'; null on error.
    /// </summary>
    public static byte[]? EtherAton(string text)
    {
        var mac = new byte[6];
        int p = 0;
        for (int i = 0; i < 6; i++)
        {
            int number = 0;
            int digits = 0;
            while (p < text.Length && digits < 2 && Uri.IsHexDigit(text[p]))
            {
                number = (number << 4) | Convert.ToInt32(text[p].ToString(), 16);
                p++;
                digits++;
            }

            if (digits == 0)
            {
                return null;
            }

            mac[i] = (byte)number;
            if (i < 5)
            {
                if (p >= text.Length || text[p] != ':')
                {
                    return null;
                }

                p++;
            }
        }

        // glibc accepts trailing white space only.
        while (p < text.Length && CNumbers.IsCSpace(text[p]))
        {
            p++;
        }

        return p == text.Length ? mac : null;
    }

    /// <summary><c>xtables_print_mac</c>: six lower-case two-digit hex bytes.</summary>
    public static void PrintMac(StringBuilder output, ReadOnlySpan<byte> mac)
    {
        for (int i = 0; i < 6; i++)
        {
            if (i > 0)
            {
                output.Append(':');
            }

            output.Append(mac[i].ToString("x2", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// <c>xtables_parse_val_mask</c> without a name map: <c>value[/mask]</c>, each in C's base-0 notation.
    /// </summary>
    public static (uint Value, uint Mask) ParseValueMask(OptionCall call)
    {
        string arg = call.Arg;
        uint mask = uint.MaxValue;
        if (!CNumbers.TryStrToUI(arg, 0, out int end, out uint value, 0, uint.MaxValue))
        {
            throw BadValue();
        }

        if (end == arg.Length)
        {
            return (value, mask);
        }

        if (arg[end] != '/')
        {
            throw Garbage();
        }

        if (!CNumbers.TryStrToUI(arg, end + 1, out end, out mask, 0, uint.MaxValue))
        {
            throw BadValue();
        }

        if (end == arg.Length)
        {
            return (value, mask);
        }

        throw Garbage();

        XtablesException Garbage() => XtablesException.Parameter(
            $"{call.ExtensionName}: trailing garbage after value for option \"--{call.Entry.Name}\".\n");

        XtablesException BadValue() => XtablesException.Parameter(
            $"{call.ExtensionName}: bad integer value for option \"--{call.Entry.Name}\", or out of range.\n");
    }

    /// <summary><c>xtables_print_val_mask</c> without a name map: " 0xV" or " 0xV/0xM".</summary>
    public static void PrintValueMask(StringBuilder output, uint value, uint mask)
    {
        if (mask != uint.MaxValue)
        {
            output.Append(CultureInfo.InvariantCulture, $" 0x{value:x}/0x{mask:x}");
            return;
        }

        output.Append(CultureInfo.InvariantCulture, $" 0x{value:x}");
    }
}
