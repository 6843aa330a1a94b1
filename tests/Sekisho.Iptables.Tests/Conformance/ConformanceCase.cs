namespace Sekisho.Iptables.Tests.Conformance;

/// <summary>One line of an iptables extension test file.</summary>
/// <param name="File">The .t file name.</param>
/// <param name="Line">The line number (1-based).</param>
/// <param name="Table">The table (filter unless a <c>*table</c> line said otherwise).</param>
/// <param name="Chains">The chains the rule is tried in.</param>
/// <param name="Rule">The rule as given.</param>
/// <param name="Saved">The form iptables-save must show (equal to the rule for <c>=</c>).</param>
/// <param name="ExpectOk">Whether the rule must be accepted.</param>
public sealed record ConformanceCase(string File, int Line, string Table, IReadOnlyList<string> Chains, string Rule,
    string Saved, bool ExpectOk)
{
    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}: {Rule}";

    /// <summary>Reads a .t file; variant results are resolved for the legacy backend.</summary>
    public static IEnumerable<ConformanceCase> Read(string path)
    {
        string table = "filter";
        IReadOnlyList<string> chains = [];
        int lineNumber = 0;
        foreach (string raw in System.IO.File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.TrimEnd();
            if (line.Length == 0 || line[0] == '#' || line[0] == '@' || line[0] == '%')
            {
                continue;
            }

            if (line[0] == ':')
            {
                chains = line[1..].Split(',');
                continue;
            }

            if (line[0] == '*')
            {
                table = line[1..];
                continue;
            }

            string[] items = line.Split(';');
            string rule = items[0];
            string saved = items[1] == "=" ? rule : items[1];
            string result = items[2];
            if (items.Length > 3 && items[3] == "NFT")
            {
                // Scoped to the nf_tables backend: the legacy result is the alternative or the inverse.
                result = items.Length > 4 ? items[4] : result == "OK" ? "FAIL" : "OK";
            }

            if (result == "NOMATCH")
            {
                result = "OK";
            }

            yield return new ConformanceCase(Path.GetFileName(path), lineNumber, table, chains, rule, saved, result == "OK");
        }
    }
}
