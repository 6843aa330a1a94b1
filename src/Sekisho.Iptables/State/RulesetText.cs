using System.Globalization;
using System.Text;
using Sekisho.Netfilter.Model;
using Sekisho.Packets;

namespace Sekisho.Iptables.State;

/// <summary>
/// The text of a ruleset file, read as lines without parsing its rules: where each table, chain and rule is.
/// </summary>
/// <remarks>
/// <para>The state file is iptables-save <c>-c</c> text that Sekisho itself wrote, behind a header and a CRC32c of
/// everything after the checksum line. When the checksum holds, the text is exactly what Sekisho wrote, and
/// commands that need no more than its lines — iptables-save, and -A, -I, -D, -C on a chain — work on the lines
/// directly instead of parsing a hundred thousand rules and printing them again. Anything unexpected (no checksum,
/// a wrong one, a shape Sekisho does not write) makes <see cref="TryRead"/> refuse, and the caller takes the
/// general path, which parses everything and reports damage in iptables-restore's words.</para>
/// <para>A rule is one line, <c>[packets:bytes] -A CHAIN ...</c>, in its exact form (see
/// <see cref="Output.RuleSaver.SaveRule"/>). Where iptables-save would print the rule differently (it drops
/// <c>-i +</c>, for instance), a <c>#save -A CHAIN ...</c> comment line before it holds iptables-save's form;
/// iptables-restore ignores comment lines, so the file stays a valid restore file.</para>
/// </remarks>
internal sealed class RulesetText
{
    /// <summary>The line that holds the checksum, before the checksum's eight hex digits.</summary>
    public const string ChecksumPrefix = "# crc32c ";

    /// <summary>The prefix of the comment line holding iptables-save's form of the next rule.</summary>
    public const string SaveFormPrefix = "#save ";

    private RulesetText(byte[] content, int bodyStart, List<TableText> tables)
    {
        Content = content;
        BodyStart = bodyStart;
        Tables = tables;
    }

    /// <summary>The whole file.</summary>
    public byte[] Content { get; }

    /// <summary>Where the tables begin (after the header and checksum lines).</summary>
    public int BodyStart { get; }

    /// <summary>The tables, in the file's (creation) order.</summary>
    public IReadOnlyList<TableText> Tables { get; }

    /// <summary>The table of a name, or null.</summary>
    public TableText? Find(string name) => Tables.FirstOrDefault(t => t.Name == name);

    /// <summary>The file content for a body: header, checksum line, body.</summary>
    public static byte[] Compose(ReadOnlySpan<byte> body)
    {
        byte[] head = Head(body);
        byte[] content = new byte[head.Length + body.Length];
        head.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(head.Length));
        return content;
    }

    /// <summary>What comes before a body in the file: the header and the checksum line.</summary>
    public static byte[] Head(ReadOnlySpan<byte> body) =>
        Encoding.ASCII.GetBytes($"{StateDirectory.Header}\n{ChecksumPrefix}{Crc32c.Compute(body).ToString("x8", CultureInfo.InvariantCulture)}\n");

    /// <summary>Reads the structure of a file Sekisho wrote; null when the file is not exactly that.</summary>
    public static RulesetText? TryRead(byte[] content)
    {
        var span = content.AsSpan();
        int first = span.IndexOf((byte)'\n');
        if (first < 0 || !span[..first].SequenceEqual(Encoding.ASCII.GetBytes(StateDirectory.Header)))
        {
            return null;
        }

        int second = span[(first + 1)..].IndexOf((byte)'\n');
        if (second < 0)
        {
            return null;
        }

        second += first + 1;
        var checksumLine = span[(first + 1)..second];
        if (!checksumLine.StartsWith(Encoding.ASCII.GetBytes(ChecksumPrefix)) ||
            !uint.TryParse(Encoding.ASCII.GetString(checksumLine[ChecksumPrefix.Length..]), NumberStyles.AllowHexSpecifier,
                CultureInfo.InvariantCulture, out uint expected) ||
            checksumLine.Length != ChecksumPrefix.Length + 8)
        {
            return null;
        }

        int bodyStart = second + 1;
        if (Crc32c.Compute(span[bodyStart..]) != expected)
        {
            return null;
        }

        var tables = new List<TableText>();
        int position = bodyStart;
        while (position < content.Length)
        {
            var table = TableText.TryRead(content, ref position);
            if (table == null || tables.Any(t => t.Name == table.Name))
            {
                return null;
            }

            tables.Add(table);
        }

        return new RulesetText(content, bodyStart, tables);
    }

    /// <summary>Reads one line: its start and the position after its newline; false at the end or without a newline.</summary>
    internal static bool NextLine(byte[] content, ref int position, out int start, out int end)
    {
        start = position;
        int newline = content.AsSpan(position).IndexOf((byte)'\n');
        if (newline < 0)
        {
            end = position;
            return false;
        }

        end = position + newline;
        position = end + 1;
        return true;
    }
}

/// <summary>One table's <c>*name</c> ... <c>COMMIT</c> block in a <see cref="RulesetText"/>.</summary>
internal sealed class TableText
{
    private TableText(string name, int start, int end, int rulesStart, List<ChainText> chains)
    {
        Name = name;
        Start = start;
        End = end;
        RulesStart = rulesStart;
        Chains = chains;
    }

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>The offset of the <c>*name</c> line.</summary>
    public int Start { get; }

    /// <summary>The offset after the <c>COMMIT</c> line.</summary>
    public int End { get; }

    /// <summary>The offset after the chain declarations (where the first rule is).</summary>
    public int RulesStart { get; }

    /// <summary>The chains in the order of their declarations (and of their rules).</summary>
    public IReadOnlyList<ChainText> Chains { get; }

    /// <summary>The chain of a name, or null.</summary>
    public ChainText? Find(string name)
    {
        foreach (var chain in Chains)
        {
            if (chain.Name == name)
            {
                return chain;
            }
        }

        return null;
    }

    /// <summary>Reads a table block at <paramref name="position"/>; null when it is not one Sekisho wrote.</summary>
    public static TableText? TryRead(byte[] content, ref int position)
    {
        int tableStart = position;
        if (!RulesetText.NextLine(content, ref position, out int start, out int end) || content[start] != (byte)'*')
        {
            return null;
        }

        string name = Encoding.UTF8.GetString(content, start + 1, end - start - 1);
        var definition = TableDefinition.Find(name);
        if (definition == null)
        {
            return null;
        }

        var chains = new List<ChainText>();
        var byName = new Dictionary<string, ChainText>(StringComparer.Ordinal);
        int lineStart, lineEnd;
        while (true)
        {
            int before = position;
            if (!RulesetText.NextLine(content, ref position, out lineStart, out lineEnd))
            {
                return null;
            }

            if (content[lineStart] != (byte)':')
            {
                position = before;
                break;
            }

            int space = content.AsSpan(lineStart, lineEnd - lineStart).IndexOf((byte)' ');
            if (space < 2)
            {
                return null;
            }

            string chainName = Encoding.UTF8.GetString(content, lineStart + 1, space - 1);
            var chain = new ChainText(chainName, definition.BuiltinChains.Contains(chainName));
            if (!byName.TryAdd(chainName, chain))
            {
                return null;
            }

            chains.Add(chain);
        }

        // Rules, chain by chain in declaration order; a chain without rules sits where its rules would go.
        int rulesStart = position;
        int chainIndex = 0;
        int cursor = position;
        int unitStart = -1;
        while (true)
        {
            if (!RulesetText.NextLine(content, ref position, out lineStart, out lineEnd))
            {
                return null;
            }

            var line = content.AsSpan(lineStart, lineEnd - lineStart);
            if (line.SequenceEqual("COMMIT"u8))
            {
                if (unitStart >= 0)
                {
                    return null;
                }

                for (; chainIndex < chains.Count; chainIndex++)
                {
                    chains[chainIndex].Close(cursor);
                }

                return new TableText(name, tableStart, position, rulesStart, chains);
            }

            if (line.StartsWith("#save -A "u8))
            {
                if (unitStart >= 0)
                {
                    return null;
                }

                unitStart = lineStart;
                continue;
            }

            if (line.Length == 0 || line[0] != (byte)'[')
            {
                return null;
            }

            int prefixEnd = line.IndexOf("] -A "u8);
            if (prefixEnd < 0)
            {
                return null;
            }

            var rest = line[(prefixEnd + 5)..];
            int chainEnd = rest.IndexOf((byte)' ');
            var ruleChain = chainEnd < 0 ? rest : rest[..chainEnd];

            // Rules come chain by chain: most lines name the chain of the line before, without a lookup.
            ChainText? owner = chainIndex < chains.Count && ruleChain.SequenceEqual(chains[chainIndex].NameBytes)
                ? chains[chainIndex]
                : byName.GetValueOrDefault(Encoding.UTF8.GetString(ruleChain));
            if (owner is null)
            {
                return null;
            }

            // Advance to the owner chain, closing the chains before it (their rules, if any, are behind us).
            while (chainIndex < chains.Count && chains[chainIndex] != owner)
            {
                chains[chainIndex].Close(cursor);
                chainIndex++;
            }

            if (chainIndex == chains.Count)
            {
                return null;
            }

            owner.Add(unitStart >= 0 ? unitStart : lineStart, position);
            cursor = position;
            unitStart = -1;
        }
    }
}

/// <summary>One chain of a <see cref="TableText"/>: its declaration and where its rules are.</summary>
internal sealed class ChainText
{
    private readonly List<int> _ruleStarts = [];
    private bool _closed;

    /// <summary>Creates a chain entry.</summary>
    public ChainText(string name, bool builtin)
    {
        Name = name;
        NameBytes = Encoding.UTF8.GetBytes(name);
        Builtin = builtin;
    }

    /// <summary>The chain's name.</summary>
    public string Name { get; }

    /// <summary>The chain's name as the file's bytes hold it.</summary>
    public byte[] NameBytes { get; }

    /// <summary>Whether it is one of the table's built-in chains.</summary>
    public bool Builtin { get; }

    /// <summary>The number of rules.</summary>
    public int Count => _ruleStarts.Count;

    /// <summary>The offset after the chain's last rule (where an appended rule goes).</summary>
    public int End { get; private set; }

    /// <summary>The offset of rule <paramref name="index"/> (0-based; its <c>#save</c> line if it has one).</summary>
    public int RuleStart(int index) => _ruleStarts[index];

    /// <summary>The offset after rule <paramref name="index"/>.</summary>
    public int RuleEnd(int index) => index + 1 < _ruleStarts.Count ? _ruleStarts[index + 1] : End;

    internal void Add(int start, int end)
    {
        _ruleStarts.Add(start);
        End = end;
    }

    internal void Close(int position)
    {
        if (!_closed && _ruleStarts.Count == 0)
        {
            End = position;
        }

        _closed = true;
    }
}
