using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.State;

/// <summary>
/// The save forms of rules as iptables-restore read them, so that the state file can be written without printing
/// those rules again.
/// </summary>
/// <remarks>
/// A text belongs to the rule object it was recorded for: a rule that is changed afterwards (new counters, a
/// renamed target, the kernel's stored form of a match) is a new object, which is printed as usual. Texts are
/// kept per chain in the order they were added, which is the order the chain holds them after a restore of
/// <c>-A</c> lines, so writing a chain finds each rule's text by comparing one reference; when a restore file
/// edits its rules otherwise, a lookup by rule takes over. A text that is the input line's own bytes is not
/// copied: it is kept as a place in the input (a negative start, complemented), which lives as long as the restore.
/// </remarks>
internal sealed class RuleTexts
{
    private readonly Dictionary<string, ChainTexts> _chains = new(StringComparer.Ordinal);
    private ChainTexts? _last;
    private readonly byte[] _input;
    private Dictionary<Rule, (int Start, int Length)>? _index;
    private byte[] _buffer;
    private int _used;
    private int _count;

    /// <summary>
    /// Creates an empty store over the restore's <paramref name="input"/>, with room for about
    /// <paramref name="capacity"/> bytes of text that is not the input's (only what is written is touched).
    /// </summary>
    public RuleTexts(byte[] input, int capacity)
    {
        _input = input;
        _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(capacity, 256));
    }

    /// <summary>The number of rules with a text.</summary>
    public int Count => _count;

    /// <summary>
    /// Records <paramref name="text"/> as the save form (from <c>-A</c>, without newline) of <paramref name="rule"/>,
    /// appended to <paramref name="chain"/>.
    /// </summary>
    public void Add(string chain, Rule rule, ReadOnlySpan<byte> text)
    {
        if (_buffer.Length - _used < text.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _used + text.Length));
        }

        text.CopyTo(_buffer.AsSpan(_used));
        Record(chain, new Entry(rule, _used, text.Length));
        _used += text.Length;
    }

    /// <summary>
    /// Records the input's bytes at <paramref name="start"/> (<paramref name="length"/> of them) as the save form of
    /// <paramref name="rule"/>, appended to <paramref name="chain"/>, without copying them.
    /// </summary>
    public void AddInput(string chain, Rule rule, int start, int length) => Record(chain, new Entry(rule, ~start, length));

    private void Record(string chain, Entry entry)
    {
        var texts = _last != null && ReferenceEquals(_last.Name, chain) ? _last : Chain(chain);
        texts.Add(entry);
        _last = texts;
        _count++;
        _index = null;
    }

    /// <summary>The bytes an entry's start and length name: in the input when the start is negative.</summary>
    private ReadOnlySpan<byte> Text(int start, int length) =>
        start >= 0 ? _buffer.AsSpan(start, length) : _input.AsSpan(~start, length);

    /// <summary>The texts of one chain, to be asked for its rules in order.</summary>
    public Reader For(string chain) => new(this, _chains.GetValueOrDefault(chain));

    /// <summary>Forgets every text (after a commit).</summary>
    public void Clear()
    {
        _chains.Clear();
        _last = null;
        _index = null;
        _used = 0;
        _count = 0;
    }

    private ChainTexts Chain(string name)
    {
        if (!_chains.TryGetValue(name, out var texts))
        {
            texts = new ChainTexts(name);
            _chains.Add(name, texts);
        }

        return texts;
    }

    private bool Lookup(Rule rule, out ReadOnlySpan<byte> text)
    {
        if (_index == null)
        {
            _index = new Dictionary<Rule, (int Start, int Length)>(_count, ReferenceEqualityComparer.Instance);
            foreach (var texts in _chains.Values)
            {
                for (int i = 0; i < texts.Count; i++)
                {
                    var entry = texts[i];
                    _index[entry.Rule] = (entry.Start, entry.Length);
                }
            }
        }

        if (_index.TryGetValue(rule, out var slice))
        {
            text = Text(slice.Start, slice.Length);
            return true;
        }

        text = default;
        return false;
    }

    /// <summary>Finds the texts of a chain's rules, asked for in the chain's order.</summary>
    internal struct Reader
    {
        private readonly RuleTexts _owner;
        private readonly ChainTexts? _texts;
        private int _next;

        internal Reader(RuleTexts owner, ChainTexts? texts)
        {
            _owner = owner;
            _texts = texts;
            _next = 0;
        }

        /// <summary>The save form recorded for <paramref name="rule"/>; false when it has none.</summary>
        public bool TryGet(Rule rule, out ReadOnlySpan<byte> text)
        {
            if (_texts != null && _next < _texts.Count && ReferenceEquals(_texts[_next].Rule, rule))
            {
                var entry = _texts[_next++];
                text = _owner.Text(entry.Start, entry.Length);
                return true;
            }

            return _owner.Lookup(rule, out text);
        }
    }

    /// <summary>One chain's texts in the order they were added.</summary>
    internal sealed class ChainTexts(string name)
    {
        private Entry[] _entries = new Entry[16];

        public string Name { get; } = name;

        public int Count { get; private set; }

        public Entry this[int index] => _entries[index];

        public void Add(Entry entry)
        {
            if (Count == _entries.Length)
            {
                Array.Resize(ref _entries, Count * 2);
            }

            _entries[Count++] = entry;
        }
    }

    /// <summary>A rule and where its text is: in the buffer, or (a negative start, complemented) in the input.</summary>
    internal readonly record struct Entry(Rule Rule, int Start, int Length);
}
