using System.Globalization;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Syntax;

/// <summary>libxtables' generic handling of typed options: the checks and value parsing before an extension sees one.</summary>
/// <remarks>
/// <c>xtables_option_parse()</c> (once-only, inversion and argument checks, then per-type parsing with the
/// generic error messages) and <c>xtables_options_fcheck()</c> (mandatory, "also requires" and "cannot be
/// used together" checks). Ranges follow iptables 1.8.11, which refuses ranges whose upper bound lies below
/// their lower bound (1.8.9 accepted them).
/// </remarks>
public static class XtOptionParsing
{
    /// <summary>Runs the generic checks and parses the value into <see cref="OptionCall.Value"/>; updates the flags.</summary>
    public static void Parse(OptionCall call, ref uint flags)
    {
        var entry = call.Entry;
        uint eflag = 1u << entry.Id;
        if (((entry.Flags & XtOptionFlags.Multi) == 0 || (entry.Excl & eflag) != 0) && (flags & eflag) != 0)
        {
            throw XtablesException.Parameter(
                $"{call.ExtensionName}: option \"--{entry.Name}\" can only be used once.\n");
        }

        if (call.Invert && (entry.Flags & XtOptionFlags.Invert) == 0)
        {
            throw XtablesException.Parameter(
                $"{call.ExtensionName}: option \"--{entry.Name}\" cannot be inverted.\n");
        }

        if (entry.Type != XtOptionType.None && call.Argument == null)
        {
            throw XtablesException.Parameter(
                $"{call.ExtensionName}: option \"--{entry.Name}\" requires an argument.\n");
        }

        call.Value.Count = 1;
        switch (entry.Type)
        {
            case XtOptionType.UInt8:
            case XtOptionType.UInt16:
            case XtOptionType.UInt32:
            case XtOptionType.UInt64:
                ParseInteger(call);
                break;
            case XtOptionType.UInt8Range:
            case XtOptionType.UInt16Range:
            case XtOptionType.UInt32Range:
            case XtOptionType.UInt64Range:
                ParseRange(call);
                break;
            case XtOptionType.Double:
                ParseDouble(call);
                break;
            case XtOptionType.String:
                ParseString(call);
                break;
            case XtOptionType.TosMask:
                ParseTosMask(call);
                break;
            case XtOptionType.MarkMask32:
                (call.Value.Mark, call.Value.Mask) = Xt.ParseValueMask(call);
                break;
            case XtOptionType.SyslogLevel:
                ParseSyslogLevel(call);
                break;
            case XtOptionType.Host:
                ParseHost(call, call.Arg);
                break;
            case XtOptionType.HostMask:
                ParseHostMask(call);
                break;
            case XtOptionType.Protocol:
                call.Value.Protocol = Xt.ParseProtocol(call.Arg, call.Environment.Names);
                break;
            case XtOptionType.Port:
                ParsePort(call);
                break;
            case XtOptionType.PortRange:
                ParsePortRange(call);
                break;
            case XtOptionType.PrefixLength:
                ParsePrefixLength(call);
                break;
            case XtOptionType.PrefixMask:
                ParsePrefixMask(call);
                break;
            case XtOptionType.EtherMac:
                ParseEtherMac(call);
                break;
        }

        flags |= eflag;
    }

    /// <summary>
    /// The generic final checks over all typed options: mandatory options, "also requires" and exclusions.
    /// </summary>
    public static void FinalCheck(string extensionName, uint flags, IReadOnlyList<XtOption> options)
    {
        // Indexed loops: this runs for every rule of a restore, and enumerators of interfaces allocate.
        for (int e = 0; e < options.Count; e++)
        {
            var entry = options[e];
            if ((entry.Flags & XtOptionFlags.Mandatory) != 0 && (flags & (1u << entry.Id)) == 0)
            {
                throw XtablesException.Parameter($"{extensionName}: option \"--{entry.Name}\" must be specified\n");
            }

            if ((flags & (1u << entry.Id)) == 0 || (entry.Also == 0 && entry.Excl == 0))
            {
                continue;
            }

            for (int i = 0; i < 32; i++)
            {
                if (entry.Id == i)
                {
                    continue;
                }

                XtOption? other = null;
                for (int o = 0; o < options.Count; o++)
                {
                    if (options[o].Id == i)
                    {
                        other = options[o];
                        break;
                    }
                }

                if (other == null)
                {
                    continue;
                }

                uint ef = 1u << entry.Id;
                uint of = 1u << other.Id;
                if ((entry.Also & of) != 0 && (flags & of) == 0)
                {
                    throw XtablesException.Parameter(
                        $"{extensionName}: option \"--{entry.Name}\" also requires \"--{other.Name}\".\n");
                }

                if ((entry.Excl & of) == 0 || (flags & (ef | of)) != (ef | of))
                {
                    continue;
                }

                throw XtablesException.Parameter(
                    $"{extensionName}: option \"--{entry.Name}\" cannot be used together with \"--{other.Name}\".\n");
            }
        }
    }

    private static ulong MaxOf(XtOptionType type) => type switch
    {
        XtOptionType.UInt8 or XtOptionType.UInt8Range => byte.MaxValue,
        XtOptionType.UInt16 or XtOptionType.UInt16Range => ushort.MaxValue,
        XtOptionType.UInt32 or XtOptionType.UInt32Range => uint.MaxValue,
        XtOptionType.UInt64 or XtOptionType.UInt64Range => ulong.MaxValue,
        _ => 0,
    };

    private static void ParseInteger(OptionCall call)
    {
        var entry = call.Entry;
        ulong lmin = entry.Min != 0 ? entry.Min : 0;
        ulong lmax = entry.Max != 0 ? entry.Max : MaxOf(entry.Type);
        if (!CNumbers.TryStrToUL(call.Arg, out ulong value, lmin, lmax))
        {
            throw XtablesException.Parameter(
                $"{call.ExtensionName}: bad value for option \"--{entry.Name}\", or out of range ({lmin}-{lmax}).\n");
        }

        call.Value.Number = value;
    }

    private static void ParseRange(OptionCall call)
    {
        var entry = call.Entry;
        ulong lmax = MaxOf(entry.Type);

        // iptables 1.8.11 requires ranges to be monotonic increasing: each number given must be at least the
        // previous one, which its "out of range (min-max)" message then reports as the lower bound. Arguments
        // that 1.8.9 refuses for another reason keep 1.8.9's message, so the check waits for the end.
        ulong lmin = 0;
        string? reversed = null;
        int maxIterations = entry.Size > 0 ? entry.Size : 2;
        string arg = call.Arg;
        call.Value.Count = 0;
        int p = 0;
        while (true)
        {
            if (call.Value.Count == maxIterations)
            {
                throw XtablesException.Parameter(
                    $"{call.ExtensionName}: Too many components for option \"--{entry.Name}\" (max: {maxIterations})\n");
            }

            ulong value;
            int end;
            if (p >= arg.Length || arg[p] == ':')
            {
                end = p;
                value = call.Value.Count == 1 ? lmax : 0;
            }
            else
            {
                if (!CNumbers.TryStrToUL(arg, p, out end, out value, 0, lmax))
                {
                    throw XtablesException.Parameter(
                        $"{call.ExtensionName}: bad value for option \"--{entry.Name}\" near \"{arg[p..]}\", or out of range (0-{lmax}).\n");
                }

                if (end < arg.Length && arg[end] != ':')
                {
                    throw XtablesException.Parameter(
                        $"{call.ExtensionName}: Argument to \"--{entry.Name}\" has unexpected characters near \"{arg[end..]}\".\n");
                }

                if (value < lmin)
                {
                    reversed ??=
                        $"{call.ExtensionName}: bad value for option \"--{entry.Name}\" near \"{arg[p..]}\", or out of range ({lmin}-{lmax}).\n";
                }

                lmin = value;
            }

            if (call.Value.Count < call.Value.Range.Length)
            {
                call.Value.Range[call.Value.Count] = value;
            }

            call.Value.Count++;
            if (end >= arg.Length)
            {
                break;
            }

            p = end + 1;
        }

        if (reversed != null)
        {
            throw XtablesException.Parameter(reversed);
        }
    }

    private static void ParseDouble(OptionCall call)
    {
        var entry = call.Entry;
        string arg = call.Arg;
        bool ok = double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) &&
                  arg.Length > 0 && !CNumbers.IsCSpace(arg[^1]);
        if (!ok || (entry.Min != entry.Max && (value < entry.Min || value > entry.Max)))
        {
            throw XtablesException.Parameter(
                $"{call.ExtensionName}: bad value for option \"--{entry.Name}\", or out of range ({entry.Min}-{entry.Max}).\n");
        }

        call.Value.Double = value;
    }

    private static void ParseString(OptionCall call)
    {
        var entry = call.Entry;
        int z = Xt.CLength(call.Arg);
        if (entry.Min != 0 && (ulong)z < entry.Min)
        {
            throw XtablesException.Parameter($"Argument must have a minimum length of {entry.Min} characters\n");
        }

        if (entry.Max != 0 && (ulong)z > entry.Max)
        {
            throw XtablesException.Parameter($"Argument must have a maximum length of {entry.Max} characters\n");
        }
    }

    private static readonly (byte Value, string Name)[] s_tosNames =
    [
        (0x10, "Minimize-Delay"), (0x08, "Maximize-Throughput"), (0x04, "Maximize-Reliability"),
        (0x02, "Minimize-Cost"), (0x00, "Normal-Service"),
    ];

    private static void ParseTosMask(OptionCall call)
    {
        string arg = call.Arg;
        if (CNumbers.TryStrToUI(arg, 0, out _, out _, 0, byte.MaxValue))
        {
            CNumbers.TryStrToUI(arg, 0, out int end, out uint value, 0, byte.MaxValue);
            call.Value.TosValue = (byte)value;
            call.Value.TosMask = byte.MaxValue;
            if (end < arg.Length && arg[end] == '/')
            {
                if (!CNumbers.TryStrToUI(arg, end + 1, out end, out uint mask, 0, byte.MaxValue))
                {
                    throw XtablesException.Parameter($"Illegal value: \"{arg}\"");
                }

                call.Value.TosMask = (byte)mask;
            }

            if (end != arg.Length)
            {
                throw XtablesException.Parameter($"Illegal value: \"{arg}\"");
            }

            return;
        }

        call.Value.TosMask = (byte)call.Entry.Max;
        foreach (var (value, name) in s_tosNames)
        {
            if (CStrings.EqualsIgnoreCase(arg, name))
            {
                call.Value.TosValue = value;
                return;
            }
        }

        throw XtablesException.Parameter($"Symbolic name \"{arg}\" is unknown");
    }

    private static readonly (string Name, byte Level)[] s_syslogLevels =
    [
        ("alert", 1), ("crit", 2), ("debug", 7), ("emerg", 0), ("error", 3), ("info", 6), ("notice", 5),
        ("panic", 0), ("warning", 4),
    ];

    private static void ParseSyslogLevel(OptionCall call)
    {
        string arg = call.Arg;
        if (!CNumbers.TryStrToUI(arg, out uint number, 0, 7))
        {
            int found = -1;
            foreach (var (name, level) in s_syslogLevels)
            {
                if (name == arg)
                {
                    found = level;
                    break;
                }
            }

            if (found < 0)
            {
                throw XtablesException.Parameter($"log level \"{arg}\" unknown\n");
            }

            number = (uint)found;
        }

        call.Value.SyslogLevel = (byte)number;
    }

    private static void ParseHost(OptionCall call, string host)
    {
        var addresses = call.Environment.Names.ResolveHost(host, out string? error);
        if (addresses == null || addresses.Length == 0)
        {
            throw XtablesException.Parameter($"getaddrinfo: {error}\n");
        }

        call.Value.HostMask = Ipv4Address.Broadcast;
        call.Value.HostMaskPadded = true;
        call.Value.HostLength = 32;
        call.Value.HostAddress = addresses[0];
        foreach (var other in addresses)
        {
            if (other != addresses[0])
            {
                throw XtablesException.Parameter($"{host} resolves to more than one address\n");
            }
        }
    }

    private static void ParseHostMask(OptionCall call)
    {
        string arg = call.Arg;
        int slash = arg.IndexOf('/');
        if (slash < 0)
        {
            ParseHost(call, arg);
            return;
        }

        ParseHost(call, arg[..slash]);
        string original = arg;
        call.Argument = arg[(slash + 1)..];
        ParsePrefixMask(call);
        call.Argument = original;
    }

    private static void ParsePort(OptionCall call)
    {
        int port = call.Environment.Names.PortByName(call.Arg);
        if (port < 0)
        {
            throw XtablesException.Parameter($"Port \"{call.Arg}\" does not resolve to anything.\n");
        }

        call.Value.Port = (ushort)port;
    }

    private static void ParsePortRange(OptionCall call)
    {
        var entry = call.Entry;
        int maxIterations = entry.Size > 0 ? entry.Size : 2;
        call.Value.Range[0] = 0;
        call.Value.Range[1] = ushort.MaxValue;
        call.Value.Count = 0;
        // As iptables 1.8.11, a port range must not run backwards; arguments 1.8.9 refuses for another reason
        // keep 1.8.9's message, so the check waits for the end.
        int previous = 0;
        string? reversed = null;
        foreach (string part in call.Arg.Split(':'))
        {
            if (call.Value.Count == maxIterations)
            {
                throw XtablesException.Parameter(
                    $"{call.ExtensionName}: Too many components for option \"--{entry.Name}\" (max: {maxIterations})\n");
            }

            if (part.Length == 0)
            {
                call.Value.Count++;
                continue;
            }

            int value = call.Environment.Names.PortByName(part);
            if (value < 0)
            {
                throw XtablesException.Parameter($"Port \"{part}\" does not resolve to anything.\n");
            }

            if (value < previous)
            {
                reversed ??= $"Port range {previous}-{value} is negative.\n";
            }

            previous = value;
            if (call.Value.Count < 2)
            {
                call.Value.Range[call.Value.Count] = (ulong)value;
            }

            call.Value.Count++;
        }

        if (reversed != null)
        {
            throw XtablesException.Parameter(reversed);
        }

        if (call.Value.Count == 1)
        {
            call.Value.Range[1] = call.Value.Range[0];
            call.Value.Count++;
        }
    }

    private static void ParsePrefixLength(OptionCall call)
    {
        call.Value.HostLength = 32;
        if (!CNumbers.TryStrToUI(call.Arg, out uint prefix, 0, 32))
        {
            // A mask in full form, as getaddrinfo(AI_NUMERICHOST) reads it; the length lands in the uint8_t
            // hlen, so a mask that is not contiguous (-1) becomes 255.
            if (Xt.InetAtonExact(call.Arg) is { } mask)
            {
                call.Value.HostMask = mask;
                call.Value.HostLength = (byte)mask.PrefixLength;
                return;
            }

            throw XtablesException.Parameter(
                $"{call.ExtensionName}: bad value for option \"--{call.Entry.Name}\", neither a valid network mask nor valid CIDR (0-32).\n");
        }

        call.Value.HostLength = (int)prefix;
    }

    private static void ParsePrefixMask(OptionCall call)
    {
        ParsePrefixLength(call);

        // xtopt_parse_plenmask rebuilds the mask from the length; a length past 32 (a mask that was not
        // contiguous) leaves it all ones.
        int length = call.Value.HostLength;
        if (length <= 32)
        {
            call.Value.HostMask = Ipv4Address.MaskFromPrefix(length);
            call.Value.HostMaskPadded = false;
        }
        else
        {
            // All sixteen bytes of the kernel's address field stay ones.
            call.Value.HostMask = Ipv4Address.Broadcast;
            call.Value.HostMaskPadded = true;
        }
    }

    private static void ParseEtherMac(OptionCall call)
    {
        string arg = call.Arg;
        int p = 0;
        for (int i = 0; i < 6; i++)
        {
            ulong value = CNumbers.StrToUMax(arg, p, out int end, out _, 16);
            bool last = i == 5;
            bool sepOk = last ? end == arg.Length : end < arg.Length && arg[end] == ':';
            if (!sepOk || end - p > 2)
            {
                throw XtablesException.Parameter("Invalid MAC address specified.");
            }

            call.Value.EtherMac[i] = (byte)value;
            p = end + 1;
        }
    }
}
