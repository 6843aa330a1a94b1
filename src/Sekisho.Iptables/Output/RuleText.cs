using System.Text;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Output;

/// <summary>A rule as iptables-save writes it, for tools that show rules (traces, explanations).</summary>
public static class RuleText
{
    /// <summary>The rule's save form: <c>-A CHAIN ...</c>.</summary>
    public static string Save(Rule rule, string chain, INameService names)
    {
        var output = new StringBuilder();
        new RuleSaver(names).SaveRule(output, rule, chain, RuleSaver.CounterStyle.None);
        return output.ToString().TrimEnd('\n');
    }
}
