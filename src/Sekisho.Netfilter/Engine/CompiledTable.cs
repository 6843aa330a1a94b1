using System.Buffers.Binary;
using Sekisho.Netfilter.Classifier;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;

namespace Sekisho.Netfilter.Engine;

/// <summary>A table laid out for the packet path, and the walk through it.</summary>
/// <remarks>
/// The kernel's <c>struct xt_table_info</c> and <c>ipt_do_table</c>: entries of every chain in one array (rules,
/// then the chain's RETURN or policy entry), the entry point and the policy entry of each hook, a jump stack as
/// deep as there are chains. <see cref="Run"/> checks each entry's IP part, then its matches; a matching entry
/// counts the packet (<c>skb-&gt;len</c> bytes) and carries out its target: a standard verdict ends the walk,
/// RETURN pops the jump stack (or falls to the hook's policy entry when it is empty), a jump pushes the entry, a
/// goto does not, and a target extension returns a verdict or <see cref="NfVerdict.Continue"/>. A match that sets
/// <see cref="PacketContext.HotDrop"/> ends the walk with DROP.
/// </remarks>
public sealed class CompiledTable
{
    private readonly CompiledEntry[] _entries;
    private readonly int[] _hookEntry;
    private readonly int[] _underflow;
    private readonly int _stackSize;
    private readonly ChainIndex? _index;

    private CompiledTable(Table table, CompiledEntry[] entries, int[] hookEntry, int[] underflow, int stackSize,
        ChainIndex? index)
    {
        Source = table;
        _entries = entries;
        _hookEntry = hookEntry;
        _underflow = underflow;
        _stackSize = stackSize;
        _index = index;
    }

    /// <summary>Whether some chain of the table is walked through a classifier (see <see cref="ClassifierMode"/>).</summary>
    public bool UsesClassifier => _index is not null;

    /// <summary>The bytes the table's classifiers hold (0 without one).</summary>
    public long ClassifierBytes => _index?.MemoryBytes ?? 0;

    /// <summary>How the chains' classifiers came about when the table was compiled (all zero without one).</summary>
    public ClassifierUpdates ClassifierUpdates => _index?.Updates ?? default;

    /// <summary>The chains' classifiers (null when no chain has one).</summary>
    internal ChainIndex? Index => _index;

    /// <summary>The entries, as laid out.</summary>
    internal CompiledEntry[] Laid => _entries;

    /// <summary>The table this was compiled from.</summary>
    public Table Source { get; }

    /// <summary>The table name.</summary>
    public string Name => Source.Name;

    /// <summary>The entries, chain after chain.</summary>
    public IReadOnlyList<CompiledEntry> Entries => _entries;

    /// <summary>Whether the table has a built-in chain at <paramref name="hook"/>.</summary>
    public bool HasHook(Hook hook) => _hookEntry[(int)hook] >= 0;

    /// <summary>
    /// Compiles a table for a namespace: lays out its chains, resolves jumps, and creates the runtime state of
    /// every match and target (what the kernel's checkentry functions allocate), and builds the chains' classifiers
    /// as <see cref="NetNamespace.ClassifierMode"/> asks, taking over the classifiers of <paramref name="previous"/>
    /// (the table before an edit) for chains with the same rules or one rule more or less.
    /// </summary>
    public static CompiledTable Compile(Table table, NetNamespace net, CompiledTable? previous = null)
    {
        var entries = new List<CompiledEntry>();
        var chainStart = new Dictionary<string, int>(StringComparer.Ordinal);
        int[] hookEntry = [-1, -1, -1, -1, -1];
        int[] underflow = [-1, -1, -1, -1, -1];
        int userChains = 0;
        foreach (var chain in table.Chains)
        {
            chainStart.Add(chain.Name, entries.Count);
            var hook = chain.IsBuiltin ? TableDefinition.HookOf(chain.Name) : null;
            if (hook is { } h)
            {
                hookEntry[(int)h] = entries.Count;
            }
            else
            {
                userChains++;
            }

            int number = 0;
            foreach (var rule in chain.Rules)
            {
                number++;
                var matches = rule.Matches.ToArray();
                var states = new object?[matches.Length];
                for (int i = 0; i < matches.Length; i++)
                {
                    states[i] = matches[i].CreateState(net);
                }

                var extension = rule.Target.Module is null ? null : rule.Target;
                var targetState = extension?.CreateState(net);
                entries.Add(new CompiledEntry(rule, chain.Name, number, EntryRole.Rule, rule.Counters, matches, states,
                    extension, targetState));
            }

            if (hook is { } builtin)
            {
                underflow[(int)builtin] = entries.Count;
                var policy = new CompiledEntry(null, chain.Name, number + 1, EntryRole.Policy, chain.PolicyCounters, [], [],
                    null, null);
                SetStandard(policy, chain.Policy ?? Verdict.Accept, entries.Count);
                entries.Add(policy);
            }
            else
            {
                var tail = new CompiledEntry(null, chain.Name, number + 1, EntryRole.Return, new CounterCell(), [], [],
                    null, null);
                tail.ActionKind = EntryAction.Return;
                entries.Add(tail);
            }
        }

        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Role != EntryRole.Rule)
            {
                continue;
            }

            switch (entry.Rule!.Target)
            {
                case VerdictTarget verdict:
                    SetStandard(entry, verdict.Verdict, i);
                    break;
                case JumpTarget jump:
                    if (!chainStart.TryGetValue(jump.Chain, out int start))
                    {
                        throw new InvalidOperationException($"Chain '{jump.Chain}' of table '{table.Name}' does not exist.");
                    }

                    entry.ActionKind = entry.Rule.IsGoto ? EntryAction.Goto : EntryAction.Jump;
                    entry.JumpIndex = start;
                    break;
                default:
                    entry.ActionKind = EntryAction.Extension;
                    break;
            }
        }

        CompiledEntry[] laid = [.. entries];
        return new CompiledTable(table, laid, hookEntry, underflow, userChains + 1, ChainIndex.Build(laid, net.ClassifierMode, previous));
    }

    /// <summary>Releases the runtime state of every match and target (the kernel's destroy functions).</summary>
    public void Destroy(NetNamespace net)
    {
        foreach (var entry in _entries)
        {
            for (int i = 0; i < entry.MatchList.Length; i++)
            {
                entry.MatchList[i].DestroyState(net, entry.MatchStates[i]);
            }

            entry.TargetExtension?.DestroyState(net, entry.TargetState);
        }
    }

    /// <summary>Whether some match or target of the table needs connection tracking (<c>nf_ct_netns_get</c>).</summary>
    public bool UsesConntrack()
    {
        foreach (var entry in _entries)
        {
            foreach (var match in entry.MatchList)
            {
                if (match.UsesConntrack)
                {
                    return true;
                }
            }

            if (entry.TargetExtension is { UsesConntrack: true })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Walks the chain of <paramref name="context"/>'s hook and returns the verdict.</summary>
    public uint Run(PacketContext context)
    {
        var packet = context.Packet;
        var data = packet.Data;
        ushort fragment = BinaryPrimitives.ReadUInt16BigEndian(data[6..]);
        context.FragmentOffset = fragment & 0x1FFF;
        context.TransportOffset = (data[0] & 0x0F) * 4;
        context.HotDrop = false;
        context.Table = this;
        var tracer = context.Net.Tracer;
        tracer?.TableStarted(context);

        string inName = context.In?.Name ?? string.Empty;
        string outName = context.Out?.Name ?? string.Empty;
        uint source = BinaryPrimitives.ReadUInt32BigEndian(data[12..]);
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
        byte protocol = data[9];
        bool isFragment = context.FragmentOffset != 0;

        var entries = _entries;
        int[] stack = context.JumpStack(_stackSize);
        int depth = 0;
        var chains = _index;
        bool classify = ChainIndex.TryKey(context, source, destination, protocol, out var key) && chains is not null;
        int index = _hookEntry[(int)context.Hook];
        uint verdict = NfVerdict.Drop;
        do
        {
            if (classify)
            {
                index = Skip(context, index, chains!.Next(index, key));
            }

            var entry = entries[index];
            if (!IpMatches(entry, source, destination, inName, outName, protocol, isFragment)
                || !ExtensionsMatch(entry, context))
            {
                tracer?.EntryMissed(context, entry);
                index++;
                continue;
            }

            entry.CounterCell.Add(packet.Length);
            tracer?.EntryMatched(context, entry);
            switch (entry.ActionKind)
            {
                case EntryAction.Verdict:
                    tracer?.EntryVerdict(context, entry, entry.VerdictValue);
                    verdict = entry.VerdictValue;
                    goto done;
                case EntryAction.Return:
                    tracer?.EntryVerdict(context, entry, NfVerdict.Continue);
                    index = depth == 0 ? _underflow[(int)context.Hook] : stack[--depth] + 1;
                    continue;
                case EntryAction.Jump:
                    tracer?.EntryVerdict(context, entry, NfVerdict.Continue);
                    if (depth >= _stackSize)
                    {
                        verdict = NfVerdict.Drop;
                        goto done;
                    }

                    stack[depth++] = index;
                    index = entry.JumpIndex;
                    continue;
                case EntryAction.Goto:
                    tracer?.EntryVerdict(context, entry, NfVerdict.Continue);
                    index = entry.JumpIndex;
                    continue;
                default:
                    verdict = entry.TargetExtension!.Execute(context, entry.TargetState);
                    tracer?.EntryVerdict(context, entry, verdict);
                    if (verdict != NfVerdict.Continue)
                    {
                        goto done;
                    }

                    data = packet.Data;
                    source = BinaryPrimitives.ReadUInt32BigEndian(data[12..]);
                    destination = BinaryPrimitives.ReadUInt32BigEndian(data[16..]);
                    protocol = data[9];
                    classify = ChainIndex.TryKey(context, source, destination, protocol, out key) && chains is not null;
                    index++;
                    continue;
            }
        }
        while (!context.HotDrop);

        verdict = NfVerdict.Drop;
    done:
        if (context.HotDrop)
        {
            verdict = NfVerdict.Drop;
        }

        tracer?.TableFinished(context, verdict);
        context.Table = null;
        return verdict;
    }

    // The entries the classifier skipped are the ones the linear walk would have missed: the tracer hears of them.
    private int Skip(PacketContext context, int index, int next)
    {
        if (context.Net.Tracer is { } tracer)
        {
            for (int i = index; i < next; i++)
            {
                tracer.EntryMissed(context, _entries[i]);
            }
        }

        return next;
    }

    private static bool IpMatches(CompiledEntry entry, uint source, uint destination, string inName, string outName,
        byte protocol, bool isFragment)
    {
        var inv = entry.InvFlags;
        if (((source & entry.SourceMask) != entry.Source) ^ ((inv & IpInvFlags.Source) != 0))
        {
            return false;
        }

        if (((destination & entry.DestinationMask) != entry.Destination) ^ ((inv & IpInvFlags.Destination) != 0))
        {
            return false;
        }

        if (!entry.InInterface.Matches(inName) ^ ((inv & IpInvFlags.InInterface) != 0))
        {
            return false;
        }

        if (!entry.OutInterface.Matches(outName) ^ ((inv & IpInvFlags.OutInterface) != 0))
        {
            return false;
        }

        if (entry.Protocol != 0 && ((protocol != entry.Protocol) ^ ((inv & IpInvFlags.Protocol) != 0)))
        {
            return false;
        }

        return !(((entry.Flags & IpFlags.Fragment) != 0 && !isFragment) ^ ((inv & IpInvFlags.Fragment) != 0));
    }

    private static bool ExtensionsMatch(CompiledEntry entry, PacketContext context)
    {
        var matches = entry.MatchList;
        for (int i = 0; i < matches.Length; i++)
        {
            if (!matches[i].Match(context, entry.MatchStates[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static void SetStandard(CompiledEntry entry, Verdict verdict, int index)
    {
        switch (verdict)
        {
            case Verdict.Accept:
                entry.ActionKind = EntryAction.Verdict;
                entry.VerdictValue = NfVerdict.Accept;
                break;
            case Verdict.Drop:
                entry.ActionKind = EntryAction.Verdict;
                entry.VerdictValue = NfVerdict.Drop;
                break;
            case Verdict.Queue:
                entry.ActionKind = EntryAction.Verdict;
                entry.VerdictValue = NfVerdict.Queue;
                break;
            case Verdict.Return:
                entry.ActionKind = EntryAction.Return;
                break;
            default:
                // A rule without a target falls through to the next entry, as libiptc's jump to the next offset does.
                entry.ActionKind = EntryAction.Goto;
                entry.JumpIndex = index + 1;
                break;
        }
    }
}
