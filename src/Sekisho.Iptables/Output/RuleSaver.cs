using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Iptables.Output;

/// <summary>Writes rules in the save form (<c>-S</c> and iptables-save).</summary>
/// <remarks>
/// iptables' <c>print_rule4()</c> with <c>save_ipv4_addr()</c>, <c>save_rule_details()</c> and
/// <c>save_iface()</c>, then each match's and the target's <c>save()</c>.
/// </remarks>
internal sealed class RuleSaver
{
    private readonly FormatContext _context;
    private readonly FormatContext _exactContext;

    public RuleSaver(INameService names)
    {
        _context = new FormatContext(names, numeric: false);
        _exactContext = new FormatContext(names, numeric: false, exact: true);
    }

    /// <summary>How counters appear in a saved rule.</summary>
    public enum CounterStyle
    {
        /// <summary>No counters.</summary>
        None,

        /// <summary>iptables-save -c: <c>[pkts:bytes] -A ...</c>.</summary>
        Prefix,

        /// <summary>iptables -S -v: <c>... -c pkts bytes -j ...</c>.</summary>
        Inline,
    }

    /// <summary>
    /// Appends one rule line. With <paramref name="exactInterfaces"/> the interface is written exactly as stored
    /// (Sekisho's state file needs <c>-i +</c> to survive a round trip, which iptables' save form drops), and so
    /// are the matches and the target (<see cref="FormatContext.Exact"/>).
    /// </summary>
    public void SaveRule(StringBuilder output, Rule rule, string chain, CounterStyle counters, bool exactInterfaces = false)
    {
        var ip = rule.Ip;
        var context = exactInterfaces ? _exactContext : _context;
        if (counters == CounterStyle.Prefix)
        {
            output.Append(CultureInfo.InvariantCulture, $"[{rule.Counters.Packets}:{rule.Counters.Bytes}] ");
        }

        output.Append("-A ").Append(chain);
        SaveAddress(output, 's', ip.Source, ip.SourceMask, (ip.InvFlags & IpInvFlags.Source) != 0);
        SaveAddress(output, 'd', ip.Destination, ip.DestinationMask, (ip.InvFlags & IpInvFlags.Destination) != 0);
        SaveInterface(output, 'i', ip.InInterface, (ip.InvFlags & IpInvFlags.InInterface) != 0, exactInterfaces);
        SaveInterface(output, 'o', ip.OutInterface, (ip.InvFlags & IpInvFlags.OutInterface) != 0, exactInterfaces);
        if (ip.Protocol > 0)
        {
            if ((ip.InvFlags & IpInvFlags.Protocol) != 0)
            {
                output.Append(" !");
            }

            string? name = Xt.ProtocolToName(ip.Protocol, false, _context.Names);
            output.Append(" -p ").Append(name ?? ip.Protocol.ToString(CultureInfo.InvariantCulture));
        }

        if ((ip.Flags & IpFlags.Fragment) != 0)
        {
            if ((ip.InvFlags & IpInvFlags.Fragment) != 0)
            {
                output.Append(" !");
            }

            output.Append(" -f");
        }

        foreach (var match in rule.Matches)
        {
            output.Append(" -m ").Append(match.SaveName);
            match.Save(output, ip, context);
        }

        if (counters == CounterStyle.Inline)
        {
            output.Append(CultureInfo.InvariantCulture, $" -c {rule.Counters.Packets} {rule.Counters.Bytes}");
        }

        switch (rule.Target)
        {
            case VerdictTarget { Verdict: Verdict.Continue }:
                break;
            case VerdictTarget verdict:
                output.Append(" -j ").Append(verdict.Name);
                break;
            case JumpTarget jump:
                output.Append(rule.IsGoto ? " -g " : " -j ").Append(jump.Chain);
                break;
            default:
                output.Append(" -j ").Append(rule.Target.SaveName);
                rule.Target.Save(output, ip, context);
                break;
        }

        output.Append('\n');
    }

    private static void SaveAddress(StringBuilder output, char letter, Ipv4Address address, Ipv4Address mask, bool invert)
    {
        if (mask.Value == 0 && !invert && address.Value == 0)
        {
            return;
        }

        output.Append(invert ? " !" : string.Empty).Append(" -").Append(letter).Append(' ').Append(address.ToString())
            .Append('/');
        int prefix = mask.PrefixLength;
        output.Append(prefix >= 0 ? prefix.ToString(CultureInfo.InvariantCulture) : mask.ToString());
    }

    private static void SaveInterface(StringBuilder output, char letter, InterfaceName name, bool invert, bool exact)
    {
        if (exact)
        {
            if (!name.IsSpecified)
            {
                return;
            }

            output.Append(invert ? " !" : string.Empty).Append(" -").Append(letter).Append(' ').Append(name.Text);
            return;
        }

        // iptables 1.8.11 keeps an inverted "+" (which never matches); 1.8.9 dropped every empty mask.
        if (name.MatchesAll && !(invert && name.IsSpecified))
        {
            return;
        }

        output.Append(invert ? " !" : string.Empty).Append(" -").Append(letter).Append(' ');
        output.Append(name.Prefix);
        if (name.IsWildcard)
        {
            output.Append('+');
        }
    }
}
