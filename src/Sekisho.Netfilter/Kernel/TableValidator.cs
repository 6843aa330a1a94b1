using System.Collections.Immutable;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Kernel;

/// <summary>What the kernel checks when a table is replaced: loops, then every match and target.</summary>
/// <remarks>
/// <c>translate_table()</c> of ip_tables: <c>mark_source_chains()</c> walks each hook's chain depth-first,
/// following jumps and gotos alike, stopping a chain at an unconditional verdict, recording in each rule the
/// hooks it can be reached from (<c>comefrom</c>) and failing with ELOOP when a chain is re-entered while on
/// the path; then <c>find_check_entry()</c> runs <c>xt_check_match()</c>/<c>xt_check_target()</c> on every rule
/// in table order, the first failure deciding the error.
/// </remarks>
public static class TableValidator
{
    private static readonly string[] s_hookNames = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"];

    /// <summary>
    /// Checks a table; 0 when the kernel would accept it, else the error number. On success, matches whose
    /// checkentry rewrites their data are replaced in <paramref name="table"/> by their <see cref="MatchInfo.Stored"/>
    /// form.
    /// </summary>
    /// <param name="table">The new version of the table.</param>
    /// <param name="log">The kernel log.</param>
    /// <param name="current">The tables the kernel holds now (see <see cref="CheckContext.Current"/>), or null.</param>
    public static int Validate(Table table, IKernelLog log, Ruleset? current = null)
    {
        var comefrom = ComputeHookMasks(table);
        if (comefrom == null)
        {
            return Errno.ELOOP;
        }

        var checkedMatches = new List<MatchInfo>();
        CheckContext? context = null;
        foreach (var chain in table.Chains)
        {
            var masks = comefrom[chain];
            for (int i = 0; i < chain.Rules.Count; i++)
            {
                var rule = chain.Rules[i];
                if (rule.Matches.IsEmpty && rule.Target.Module is null)
                {
                    // Nothing to check: a verdict or a jump without matches.
                    continue;
                }

                context = context?.ForRule(masks[i], rule.Ip, rule.Matches) ??
                    new CheckContext(table.Name, masks[i], rule.Ip, log, rule.Matches, current, checkedMatches);
                foreach (var match in rule.Matches)
                {
                    int rc = CheckModule(match.Module, "match", context);
                    if (rc == Errno.Ok)
                    {
                        rc = match.CheckEntry(context);
                    }

                    if (rc != Errno.Ok)
                    {
                        return rc;
                    }

                    checkedMatches.Add(match);
                }

                if (rule.Target.Module is { } module)
                {
                    int rc = CheckModule(module, "target", context);
                    if (rc == Errno.Ok)
                    {
                        rc = rule.Target.CheckEntry(context);
                    }

                    if (rc != Errno.Ok)
                    {
                        return rc;
                    }
                }
            }
        }

        StoreCheckedForms(table);
        return Errno.Ok;
    }

    /// <summary>
    /// Checks one rule as if it were reachable from <paramref name="hooks"/>, writing nothing to any log: whether the
    /// kernel accepts it there, with no other rule's state involved (hashlimit's table list is not consulted).
    /// </summary>
    /// <remarks>
    /// The checks only ever refuse more as hooks are added, so a rule accepted with every hook its chain could be
    /// reached from is accepted wherever the kernel's walk finds it.
    /// </remarks>
    public static bool CheckRule(string table, HookMask hooks, Rule rule)
    {
        var context = new CheckContext(table, hooks, rule.Ip, NullKernelLog.Instance, rule.Matches, null, []);
        foreach (var match in rule.Matches)
        {
            if (CheckModule(match.Module, "match", context) != Errno.Ok || match.CheckEntry(context) != Errno.Ok)
            {
                return false;
            }
        }

        return rule.Target.Module is not { } module ||
            (CheckModule(module, "target", context) == Errno.Ok && rule.Target.CheckEntry(context) == Errno.Ok);
    }

    private static void StoreCheckedForms(Table table)
    {
        foreach (var chain in table.Chains)
        {
            for (int i = 0; i < chain.Rules.Count; i++)
            {
                var rule = chain.Rules[i];
                ImmutableArray<MatchInfo>.Builder? stored = null;
                for (int m = 0; m < rule.Matches.Length; m++)
                {
                    var match = rule.Matches[m];
                    var kept = match.Stored;
                    if (stored == null && !ReferenceEquals(kept, match))
                    {
                        stored = rule.Matches.ToBuilder();
                    }

                    if (stored != null)
                    {
                        stored[m] = kept;
                    }
                }

                if (stored != null)
                {
                    chain.Rules[i] = new Rule(rule.Ip, stored.ToImmutable(), rule.Target, rule.Counters);
                }
            }
        }
    }

    /// <summary>
    /// The hooks each rule can be reached from, per chain; null when the table has a loop.
    /// </summary>
    public static Dictionary<Chain, HookMask[]>? ComputeHookMasks(Table table)
    {
        var masks = new Dictionary<Chain, HookMask[]>(table.Chains.Count);
        foreach (var chain in table.Chains)
        {
            masks[chain] = new HookMask[chain.Rules.Count];
        }

        var onStack = new HashSet<Chain>();
        var visited = new HashSet<Chain>();
        for (int hook = 0; hook < 5; hook++)
        {
            var bit = (HookMask)(1 << hook);
            if ((table.Definition.Hooks & bit) == 0)
            {
                continue;
            }

            visited.Clear();
            var start = table.Find(s_hookNames[hook]);
            if (start != null && !Walk(start))
            {
                return null;
            }

            bool Walk(Chain chain)
            {
                if (onStack.Contains(chain))
                {
                    return false;
                }

                if (!visited.Add(chain))
                {
                    return true;
                }

                onStack.Add(chain);
                var chainMasks = masks[chain];
                for (int i = 0; i < chain.Rules.Count; i++)
                {
                    var rule = chain.Rules[i];
                    chainMasks[i] |= bit;
                    if (rule.Target is VerdictTarget { Verdict: not Verdict.Continue } && IsUnconditional(rule))
                    {
                        break;
                    }

                    if (rule.Target is JumpTarget jump && table.Find(jump.Chain) is { } target && !Walk(target))
                    {
                        return false;
                    }
                }

                onStack.Remove(chain);
                return true;
            }
        }

        return masks;
    }

    /// <summary>Whether a rule has no conditions at all (<c>unconditional()</c>: no matches, empty IP part).</summary>
    /// <remarks>The kernel compares the raw <c>ipt_ip</c> bytes, so even <c>-i +</c> makes a rule conditional.</remarks>
    public static bool IsUnconditional(Rule rule) =>
        rule.Matches.Length == 0 && rule.Ip == default(IpHeaderMatch) &&
        rule.Ip.InInterface.Text.Length == 0 && rule.Ip.OutInterface.Text.Length == 0;

    private static int CheckModule(XtModule module, string kind, CheckContext context)
    {
        if (module.Table != null && module.Table != context.Table)
        {
            context.Log.Write($"x_tables: ip_tables: {module.Name} {kind}: only valid in {module.Table} table, not {context.Table}");
            return Errno.EINVAL;
        }

        if (module.Hooks != HookMask.None && (context.Hooks & ~module.Hooks) != 0)
        {
            context.Log.Write(
                $"x_tables: ip_tables: {module.Name} {kind}: used from hooks {HookNames(context.Hooks)}, but only {(kind == "match" ? "valid" : "usable")} from {HookNames(module.Hooks)}");
            return Errno.EINVAL;
        }

        if (module.Protocol != 0 &&
            (module.Protocol != context.Ip.Protocol || (context.Ip.InvFlags & IpInvFlags.Protocol) != 0))
        {
            context.Log.Write($"x_tables: ip_tables: {module.Name} {kind}: only valid for protocol {module.Protocol}");
            return Errno.EINVAL;
        }

        return Errno.Ok;
    }

    /// <summary>The kernel's <c>textify_hooks()</c>: hook names joined by '/'.</summary>
    public static string HookNames(HookMask mask)
    {
        var names = new List<string>();
        for (int hook = 0; hook < 5; hook++)
        {
            if ((mask & (HookMask)(1 << hook)) != 0)
            {
                names.Add(s_hookNames[hook]);
            }
        }

        return string.Join('/', names);
    }
}
