using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Iptables.Output;

/// <summary>Writes <c>iptables -L</c> listings.</summary>
/// <remarks>
/// iptables' <c>list_entries()</c>, <c>print_header()</c> and <c>print_firewall()</c> with the shared
/// <c>print_rule_details()</c>, <c>print_fragment()</c>, <c>print_ifaces()</c> and
/// <c>print_ipv4_addresses()</c>: fixed-width columns in the table form, compact in the one-line form.
/// </remarks>
internal sealed class RuleListing
{
    private readonly INameService _names;

    public RuleListing(INameService names)
    {
        _names = names;
    }

    /// <summary>
    /// Lists one chain or all chains (when <paramref name="chainName"/> is null); false when no chain matched.
    /// With a rule number, only that rule and no header.
    /// </summary>
    public bool List(StringBuilder output, Table table, string? chainName, uint ruleNumber, ListFormat format)
    {
        bool found = false;
        foreach (var chain in table.Chains)
        {
            if (chainName != null && chainName != chain.Name)
            {
                continue;
            }

            if (found)
            {
                output.Append('\n');
            }

            if (ruleNumber == 0)
            {
                PrintHeader(output, format, chain, table.CountReferences(chain.Name));
            }

            uint number = 0;
            foreach (var rule in chain.Rules)
            {
                number++;
                if (ruleNumber == 0 || number == ruleNumber)
                {
                    PrintRule(output, rule, number, format);
                }
            }

            found = true;
        }

        return found;
    }

    private static void PrintHeader(StringBuilder output, ListFormat format, Chain chain, int references)
    {
        output.Append("Chain ").Append(chain.Name);
        if (chain.Policy is { } policy)
        {
            output.Append(" (policy ").Append(VerdictTarget.NameOf(policy));
            if ((format & ListFormat.NoCounts) == 0)
            {
                output.Append(' ');
                Xt.PrintNumber(output, chain.PolicyCounters.Packets, (format & ListFormat.KiloMegaGiga) == 0, true);
                output.Append("packets, ");
                Xt.PrintNumber(output, chain.PolicyCounters.Bytes, (format & ListFormat.KiloMegaGiga) == 0, true);
                output.Append("bytes");
            }

            output.Append(")\n");
        }
        else
        {
            output.Append(CultureInfo.InvariantCulture, $" ({references} references)\n");
        }

        bool noTable = (format & ListFormat.NoTable) != 0;
        if ((format & ListFormat.LineNumbers) != 0)
        {
            Pad(output, "num", noTable ? 0 : -4).Append(' ');
        }

        if ((format & ListFormat.NoCounts) == 0)
        {
            if ((format & ListFormat.KiloMegaGiga) != 0)
            {
                Pad(output, "pkts", noTable ? 0 : 5).Append(' ');
                Pad(output, "bytes", noTable ? 0 : 5).Append(' ');
            }
            else
            {
                Pad(output, "pkts", noTable ? 0 : 8).Append(' ');
                Pad(output, "bytes", noTable ? 0 : 10).Append(' ');
            }
        }

        if ((format & ListFormat.NoTarget) == 0)
        {
            Pad(output, "target", noTable ? 0 : -9).Append(' ');
        }

        output.Append(" prot ");
        if ((format & ListFormat.Options) != 0)
        {
            output.Append("opt");
        }

        if ((format & ListFormat.Via) != 0)
        {
            if (noTable)
            {
                output.Append("in ").Append("out ");
            }
            else
            {
                output.Append(' ');
                Pad(output, "in", -6).Append(' ');
                Pad(output, "out", -6).Append(' ');
            }
        }

        if (noTable)
        {
            output.Append("source ").Append(" destination ");
        }
        else
        {
            output.Append(' ');
            Pad(output, "source", -19).Append(' ');
            output.Append(' ');
            Pad(output, "destination", -19).Append(' ');
        }

        output.Append('\n');
    }

    /// <summary><c>print_firewall()</c>: one rule.</summary>
    public void PrintRule(StringBuilder output, Rule rule, uint number, ListFormat format)
    {
        bool noTable = (format & ListFormat.NoTable) != 0;
        bool numeric = (format & ListFormat.Numeric) != 0;
        var ip = rule.Ip;

        // print_rule_details
        if ((format & ListFormat.LineNumbers) != 0)
        {
            Pad(output, number.ToString(CultureInfo.InvariantCulture), noTable ? 0 : -4).Append(' ');
        }

        if ((format & ListFormat.NoCounts) == 0)
        {
            Xt.PrintNumber(output, rule.Counters.Packets, (format & ListFormat.KiloMegaGiga) == 0, noTable);
            Xt.PrintNumber(output, rule.Counters.Bytes, (format & ListFormat.KiloMegaGiga) == 0, noTable);
        }

        if ((format & ListFormat.NoTarget) == 0)
        {
            Pad(output, rule.Target.Name, noTable ? 0 : -9).Append(' ');
        }

        output.Append((ip.InvFlags & IpInvFlags.Protocol) != 0 ? '!' : ' ');
        string? protocolName = Xt.ProtocolToName(ip.Protocol, numeric, _names);
        if ((numeric && !noTable) || protocolName == null)
        {
            Pad(output, ip.Protocol.ToString(CultureInfo.InvariantCulture), noTable ? 0 : -4).Append(' ');
        }
        else
        {
            Pad(output, protocolName, noTable ? 0 : -4).Append(' ');
        }

        // print_fragment
        if ((format & ListFormat.Options) != 0)
        {
            if (noTable)
            {
                output.Append("opt ");
            }

            output.Append((ip.InvFlags & IpInvFlags.Fragment) != 0 ? '!' : '-');
            output.Append((ip.Flags & IpFlags.Fragment) != 0 ? 'f' : '-');
            output.Append(' ');
        }

        // print_ifaces
        if ((format & ListFormat.Via) != 0)
        {
            string any = numeric ? "*" : "any";
            string inText = ((ip.InvFlags & IpInvFlags.InInterface) != 0 ? "!" : string.Empty) +
                            (ip.InInterface.IsSpecified ? ip.InInterface.Text : any);
            string outText = ((ip.InvFlags & IpInvFlags.OutInterface) != 0 ? "!" : string.Empty) +
                             (ip.OutInterface.IsSpecified ? ip.OutInterface.Text : any);
            if (noTable)
            {
                output.Append("in ").Append(inText).Append(' ');
                output.Append("out ").Append(outText).Append(' ');
            }
            else
            {
                output.Append(' ');
                Pad(output, inText, -6).Append(' ');
                Pad(output, outText, -6).Append(' ');
            }
        }

        // print_ipv4_addresses
        output.Append((ip.InvFlags & IpInvFlags.Source) != 0 ? '!' : ' ');
        string source = AddressToString(ip.Source, ip.SourceMask, numeric);
        if (noTable)
        {
            output.Append(source).Append(' ');
        }
        else
        {
            Pad(output, source, -19).Append(' ');
        }

        output.Append((ip.InvFlags & IpInvFlags.Destination) != 0 ? '!' : ' ');
        string destination = AddressToString(ip.Destination, ip.DestinationMask, numeric);
        if (noTable)
        {
            output.Append("-> ").Append(destination);
        }
        else
        {
            Pad(output, destination, -19).Append(' ');
        }

        if (noTable)
        {
            output.Append("  ");
        }

        if (rule.IsGoto)
        {
            output.Append("[goto] ");
        }

        var context = new FormatContext(_names, numeric);
        foreach (var match in rule.Matches)
        {
            match.Print(output, ip, context);
        }

        rule.Target.Print(output, ip, context);
        if ((format & ListFormat.NoNewline) == 0)
        {
            output.Append('\n');
        }
    }

    private string AddressToString(Ipv4Address address, Ipv4Address mask, bool numeric)
    {
        if (mask.Value == 0 && !numeric)
        {
            return "anywhere";
        }

        string text = numeric ? address.ToString() : Xt.IpAddressToAnyName(address, _names);
        return text + Xt.IpMaskToNumeric(mask);
    }

    /// <summary>printf's <c>%Ns</c> (right-aligned, positive width) and <c>%-Ns</c> (left-aligned, negative).</summary>
    private static StringBuilder Pad(StringBuilder output, string text, int width)
    {
        int absolute = Math.Abs(width);
        if (width > 0 && text.Length < absolute)
        {
            output.Append(' ', absolute - text.Length);
        }

        output.Append(text);
        if (width < 0 && text.Length < absolute)
        {
            output.Append(' ', absolute - text.Length);
        }

        return output;
    }
}
