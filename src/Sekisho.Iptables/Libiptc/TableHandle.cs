using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Kernel;
using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.Libiptc;

/// <summary>A working copy of one table with libiptc's editing operations, errors and error texts.</summary>
/// <remarks>
/// libiptc (<c>iptc_*</c>): every operation returns false with <see cref="Errno"/> set on failure and records
/// itself as the last function, which <see cref="StrError()"/> uses to choose iptables' message. Nothing reaches
/// the "kernel" until <see cref="Changed"/> is committed by the caller.
/// </remarks>
internal sealed class TableHandle
{
    private static readonly (LibiptcFunction Fn, int Err, string Message)[] s_messages =
    [
        (LibiptcFunction.Init, Netfilter.Kernel.Errno.EPERM, "Permission denied (you must be root)"),
        (LibiptcFunction.Init, Netfilter.Kernel.Errno.EINVAL, "Module is wrong version"),
        (LibiptcFunction.Init, Netfilter.Kernel.Errno.ENOENT, "Table does not exist (do you need to insmod?)"),
        (LibiptcFunction.DeleteChain, Netfilter.Kernel.Errno.ENOTEMPTY, "Chain is not empty"),
        (LibiptcFunction.DeleteChain, Netfilter.Kernel.Errno.EINVAL, "Can't delete built-in chain"),
        (LibiptcFunction.DeleteChain, Netfilter.Kernel.Errno.EMLINK, "Can't delete chain with references left"),
        (LibiptcFunction.CreateChain, Netfilter.Kernel.Errno.EEXIST, "Chain already exists"),
        (LibiptcFunction.InsertEntry, Netfilter.Kernel.Errno.E2BIG, "Index of insertion too big"),
        (LibiptcFunction.ReplaceEntry, Netfilter.Kernel.Errno.E2BIG, "Index of replacement too big"),
        (LibiptcFunction.DeleteNumEntry, Netfilter.Kernel.Errno.E2BIG, "Index of deletion too big"),
        (LibiptcFunction.ZeroCounter, Netfilter.Kernel.Errno.E2BIG, "Index of counter too big"),
        (LibiptcFunction.InsertEntry, Netfilter.Kernel.Errno.ELOOP, "Loop found in table"),
        (LibiptcFunction.InsertEntry, Netfilter.Kernel.Errno.EINVAL, "Target problem"),
        (LibiptcFunction.DeleteEntry, Netfilter.Kernel.Errno.ENOENT, "Bad rule (does a matching rule exist in that chain?)"),
        (LibiptcFunction.SetPolicy, Netfilter.Kernel.Errno.ENOENT, "Bad built-in chain name"),
        (LibiptcFunction.SetPolicy, Netfilter.Kernel.Errno.EINVAL, "Bad policy name"),
        (LibiptcFunction.None, 0, "Incompatible with this kernel"),
        (LibiptcFunction.None, Netfilter.Kernel.Errno.ENOPROTOOPT, "iptables who? (do you need to insmod?)"),
        (LibiptcFunction.None, Netfilter.Kernel.Errno.ENOSYS, "Will be implemented real soon.  I promise ;)"),
        (LibiptcFunction.None, Netfilter.Kernel.Errno.ENOMEM, "Memory allocation problem"),
        (LibiptcFunction.None, Netfilter.Kernel.Errno.ENOENT, "No chain/target/match by that name"),
    ];

    private readonly HashSet<string> _policyCountersSet = new(StringComparer.Ordinal);

    public TableHandle(Table table)
    {
        Table = table;
    }

    /// <summary>The working copy.</summary>
    public Table Table { get; }

    /// <summary>Whether an operation changed the table (libiptc commits only then).</summary>
    public bool Changed { get; private set; }

    /// <summary>The error number of the last failure.</summary>
    public int Errno { get; set; }

    /// <summary>The last libiptc function called.</summary>
    public LibiptcFunction Function { get; set; }

    /// <summary><c>iptc_strerror()</c> for the last failure.</summary>
    public string StrError() => StrError(Function, Errno);

    /// <summary><c>iptc_strerror()</c>: the function-specific text, else the generic one, else strerror.</summary>
    public static string StrError(LibiptcFunction function, int errno)
    {
        foreach (var (fn, err, message) in s_messages)
        {
            if ((fn == LibiptcFunction.None || fn == function) && err == errno)
            {
                return message;
            }
        }

        return Netfilter.Kernel.Errno.StrError(errno);
    }

    public bool IsChain(string name) => Table.Find(name) != null;

    /// <summary><c>iptc_builtin()</c>: whether a chain is built in (false also when it does not exist).</summary>
    public bool IsBuiltin(string name)
    {
        Function = LibiptcFunction.Builtin;
        var chain = Table.Find(name);
        if (chain == null)
        {
            Errno = Netfilter.Kernel.Errno.ENOENT;
            return false;
        }

        return chain.IsBuiltin;
    }

    public bool Append(string chainName, Rule rule) => Insert(chainName, rule, null, LibiptcFunction.AppendEntry);

    public bool Insert(string chainName, Rule rule, int index) => Insert(chainName, rule, index, LibiptcFunction.InsertEntry);

    public bool Replace(string chainName, Rule rule, int index)
    {
        Function = LibiptcFunction.ReplaceEntry;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (index >= chain.Rules.Count)
        {
            return Fail(Netfilter.Kernel.Errno.E2BIG);
        }

        if (!MapTarget(rule))
        {
            return false;
        }

        chain.Rules[index] = rule;
        Changed = true;
        return true;
    }

    /// <summary><c>iptc_delete_entry()</c>/<c>iptc_check_entry()</c>: the first rule that is the same.</summary>
    public bool Delete(string chainName, Rule rule, bool dryRun)
    {
        Function = LibiptcFunction.DeleteEntry;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (!MapTarget(rule))
        {
            return false;
        }

        for (int i = 0; i < chain.Rules.Count; i++)
        {
            if (chain.Rules[i].SameAs(rule))
            {
                if (!dryRun)
                {
                    chain.Rules.RemoveAt(i);
                    Changed = true;
                }

                return true;
            }
        }

        return Fail(Netfilter.Kernel.Errno.ENOENT);
    }

    public bool DeleteNumber(string chainName, int index)
    {
        Function = LibiptcFunction.DeleteNumEntry;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (index >= chain.Rules.Count)
        {
            return Fail(Netfilter.Kernel.Errno.E2BIG);
        }

        chain.Rules.RemoveAt(index);
        Changed = true;
        return true;
    }

    public bool Flush(string chainName)
    {
        Function = LibiptcFunction.FlushEntries;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        chain.Rules.Clear();
        Changed = true;
        return true;
    }

    /// <summary><c>iptc_zero_entries()</c>: zeroes the counters of the chain's rules and its policy.</summary>
    public bool Zero(string chainName)
    {
        Function = LibiptcFunction.ZeroEntries;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (chain.IsBuiltin)
        {
            chain.PolicyCounters = new CounterCell();
            _policyCountersSet.Remove(chain.Name);
        }

        for (int i = 0; i < chain.Rules.Count; i++)
        {
            chain.Rules[i] = chain.Rules[i].WithCounters(new CounterCell());
        }

        Changed = true;
        return true;
    }

    /// <summary><c>iptc_zero_counter()</c>: rule numbers start at 1.</summary>
    public bool ZeroCounter(string chainName, uint ruleNumber)
    {
        Function = LibiptcFunction.ZeroCounter;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (ruleNumber < 1 || ruleNumber > chain.Rules.Count)
        {
            return Fail(Netfilter.Kernel.Errno.E2BIG);
        }

        int index = (int)ruleNumber - 1;
        chain.Rules[index] = chain.Rules[index].WithCounters(new CounterCell());
        Changed = true;
        return true;
    }

    public bool CreateChain(string name)
    {
        Function = LibiptcFunction.CreateChain;
        if (Table.Find(name) != null || VerdictTarget.FromName(name) is { Verdict: not Verdict.Continue })
        {
            return Fail(Netfilter.Kernel.Errno.EEXIST);
        }

        if (Netfilter.Syntax.Xt.CLength(name) + 1 > 32)
        {
            return Fail(Netfilter.Kernel.Errno.EINVAL);
        }

        Table.AddUserChain(name);
        Changed = true;
        return true;
    }

    public bool GetReferences(string name, out int references)
    {
        Function = LibiptcFunction.GetReferences;
        references = 0;
        if (Table.Find(name) == null)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        references = Table.CountReferences(name);
        return true;
    }

    public bool DeleteChain(string name)
    {
        Function = LibiptcFunction.DeleteChain;
        if (Table.Find(name) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        // libiptc calls iptc_builtin() and iptc_get_references() here, and they leave their own names as the
        // last function: hence "Invalid argument" and "Too many links" rather than the texts meant for
        // iptc_delete_chain().
        if (IsBuiltin(name))
        {
            return Fail(Netfilter.Kernel.Errno.EINVAL);
        }

        if (!GetReferences(name, out int references))
        {
            return false;
        }

        if (references > 0)
        {
            return Fail(Netfilter.Kernel.Errno.EMLINK);
        }

        if (chain.Rules.Count > 0)
        {
            return Fail(Netfilter.Kernel.Errno.ENOTEMPTY);
        }

        Table.RemoveChain(chain);
        Changed = true;
        return true;
    }

    public bool RenameChain(string oldName, string newName)
    {
        Function = LibiptcFunction.RenameChain;
        if (Table.Find(newName) != null || VerdictTarget.FromName(newName) is { Verdict: not Verdict.Continue })
        {
            return Fail(Netfilter.Kernel.Errno.EEXIST);
        }

        var chain = Table.Find(oldName);
        if (chain == null || IsBuiltin(oldName))
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (Netfilter.Syntax.Xt.CLength(newName) + 1 > 32)
        {
            return Fail(Netfilter.Kernel.Errno.EINVAL);
        }

        Table.RenameChain(chain, newName);
        foreach (var c in Table.Chains)
        {
            for (int i = 0; i < c.Rules.Count; i++)
            {
                if (c.Rules[i].Target is JumpTarget jump && jump.Chain == oldName)
                {
                    c.Rules[i] = c.Rules[i].WithTarget(new JumpTarget(newName));
                }
            }
        }

        Changed = true;
        return true;
    }

    /// <summary><c>iptc_set_policy()</c>: without counters the policy counters restart from zero.</summary>
    public bool SetPolicy(string chainName, string policy, CounterCell? counters)
    {
        Function = LibiptcFunction.SetPolicy;
        if (Table.Find(chainName) is not { } chain || !chain.IsBuiltin)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        Verdict verdict;
        if (policy == "ACCEPT")
        {
            verdict = Verdict.Accept;
        }
        else if (policy == "DROP")
        {
            verdict = Verdict.Drop;
        }
        else
        {
            return Fail(Netfilter.Kernel.Errno.EINVAL);
        }

        chain.Policy = verdict;
        chain.PolicyCounters = counters ?? new CounterCell();
        if (counters != null)
        {
            _policyCountersSet.Add(chain.Name);
        }
        else
        {
            _policyCountersSet.Remove(chain.Name);
        }

        Changed = true;
        return true;
    }

    /// <summary>
    /// The table as libiptc hands it to the kernel: every built-in chain's policy counters start again from zero
    /// unless this transaction set them (<c>-P ... -c</c>, iptables-restore <c>-c</c>).
    /// </summary>
    /// <remarks>
    /// iptables-legacy 1.8.9 maps rule counters across a commit but not policy counters: after any change to a
    /// table its policies count from zero, which the kernel shows. Sekisho does the same.
    /// </remarks>
    public Table PrepareCommit()
    {
        foreach (var chain in Table.Chains)
        {
            if (chain.IsBuiltin && !_policyCountersSet.Contains(chain.Name))
            {
                chain.PolicyCounters = new CounterCell();
            }
        }

        return Table;
    }

    /// <summary>Marks the table changed (a restore that only sets up a table still commits it).</summary>
    public void MarkChanged() => Changed = true;

    private bool Insert(string chainName, Rule rule, int? index, LibiptcFunction function)
    {
        Function = function;
        if (Table.Find(chainName) is not { } chain)
        {
            return Fail(Netfilter.Kernel.Errno.ENOENT);
        }

        if (index is { } i && i > chain.Rules.Count)
        {
            return Fail(Netfilter.Kernel.Errno.E2BIG);
        }

        if (!MapTarget(rule))
        {
            return false;
        }

        if (index is { } at)
        {
            chain.Rules.Insert(at, rule);
        }
        else
        {
            chain.Rules.Add(rule);
        }

        Changed = true;
        return true;
    }

    /// <summary>
    /// <c>iptcc_map_target()</c>: a jump to a built-in chain is refused with EINVAL. Any name that is neither
    /// empty nor a verdict (a chain or an extension target) is looked up with <c>iptc_builtin()</c>, which stays
    /// the last function: a "not found" that follows then gets the generic text.
    /// </summary>
    private bool MapTarget(Rule rule)
    {
        switch (rule.Target)
        {
            case VerdictTarget:
                return true;
            case JumpTarget jump:
                return !IsBuiltin(jump.Chain) || Fail(Netfilter.Kernel.Errno.EINVAL);
            default:
                IsBuiltin(rule.Target.Name);
                return true;
        }
    }

    private bool Fail(int errno)
    {
        Errno = errno;
        return false;
    }
}
