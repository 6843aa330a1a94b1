using System.Text;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>Splits an iptables-restore rule line into arguments.</summary>
/// <remarks>
/// iptables' <c>tokenize_rule_counters()</c> and <c>add_param_to_argv()</c>: an optional <c>[pkts:bytes]</c>
/// prefix, then words separated by blanks, with double quotes grouping and backslash escaping inside quotes.
/// Words repeat from line to line ("-A", "INPUT", "-j", "ACCEPT"), so an instance keeps the strings it has made
/// and hands out the same string again rather than allocating a new one for every line.
/// </remarks>
internal sealed class RestoreTokenizer
{
    /// <summary>Maximum length of one argument (iptables' 1024-byte parameter buffer).</summary>
    private const int MaxParameterLength = 1024;

    /// <summary>Maximum number of arguments (iptables' MAX_ARGC).</summary>
    private const int MaxArguments = 255;

    private const int MaxCachedWords = 65536;
    private const int MaxCachedWordLength = 32;

    private readonly Dictionary<string, string> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly StringBuilder _quoted = new();

    public RestoreTokenizer()
    {
        _lookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Splits off a <c>[pkts:bytes]</c> prefix; returns the index where the command starts.
    /// </summary>
    public static int TokenizeCounters(string buffer, int line, out string? packets, out string? bytes)
    {
        packets = null;
        bytes = null;
        if (buffer.Length == 0 || buffer[0] != '[')
        {
            return 0;
        }

        int close = buffer.IndexOf(']');
        if (close < 0)
        {
            throw XtablesException.Parameter($"Bad line {line}: need ]");
        }

        // strtok(buffer + 1, ":") then strtok(NULL, "]"), on the whole line.
        int p = 1;
        while (p < buffer.Length && buffer[p] == ':')
        {
            p++;
        }

        if (p >= buffer.Length)
        {
            throw XtablesException.Parameter($"Bad line {line}: need :");
        }

        int colon = buffer.IndexOf(':', p);
        string first = colon < 0 ? buffer[p..] : buffer[p..colon];
        int q = colon < 0 ? buffer.Length : colon + 1;
        while (q < buffer.Length && buffer[q] == ']')
        {
            q++;
        }

        if (colon < 0 || q >= buffer.Length)
        {
            throw XtablesException.Parameter($"Bad line {line}: need ]");
        }

        int end = buffer.IndexOf(']', q);
        string second = end < 0 ? buffer[q..] : buffer[q..end];
        packets = first;
        bytes = second;
        return close + 1;
    }

    /// <summary>Appends the words of <paramref name="text"/> (from <paramref name="start"/>) to <paramref name="argv"/>.</summary>
    public void AddParameters(List<string> argv, string text, int start)
    {
        int i = start;
        while (i < text.Length)
        {
            char c = text[i];
            if (c is ' ' or '\t' or '\n')
            {
                i++;
                continue;
            }

            // A plain word (no quotes) is the common case: take it as a slice.
            int end = i;
            while (end < text.Length && text[end] is not (' ' or '\t' or '\n' or '"'))
            {
                end++;
            }

            if (end == text.Length || text[end] != '"')
            {
                if (end - i >= MaxParameterLength)
                {
                    throw XtablesException.Parameter("Parameter too long!");
                }

                Push(argv, Word(text.AsSpan(i, end - i)));
                i = end;
                continue;
            }

            i = AddQuotedWord(argv, text, i);
        }
    }

    /// <summary>add_param_to_argv's state machine for a word that contains double quotes.</summary>
    private int AddQuotedWord(List<string> argv, string text, int i)
    {
        var param = _quoted.Clear();
        bool quoteOpen = false;
        bool escaped = false;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (quoteOpen)
            {
                if (escaped)
                {
                    Add(param, c);
                    escaped = false;
                    continue;
                }

                if (c == '\\')
                {
                    escaped = true;
                    continue;
                }

                if (c == '"')
                {
                    // The closing quote ends the word, whatever follows.
                    Push(argv, param.ToString());
                    return i + 1;
                }

                Add(param, c);
                continue;
            }

            if (c == '"')
            {
                quoteOpen = true;
                continue;
            }

            if (c is ' ' or '\t' or '\n')
            {
                break;
            }

            Add(param, c);
        }

        if (param.Length > 0)
        {
            Push(argv, param.ToString());
        }

        return i;
    }

    private string Word(ReadOnlySpan<char> span)
    {
        if (span.Length > MaxCachedWordLength)
        {
            return new string(span);
        }

        if (_lookup.TryGetValue(span, out string? word))
        {
            return word;
        }

        word = new string(span);
        if (_words.Count < MaxCachedWords)
        {
            _words.Add(word, word);
        }

        return word;
    }

    private static void Add(StringBuilder param, char c)
    {
        param.Append(c);
        if (param.Length >= MaxParameterLength)
        {
            throw XtablesException.Parameter("Parameter too long!");
        }
    }

    private static void Push(List<string> argv, string word)
    {
        if (argv.Count + 1 >= MaxArguments)
        {
            throw XtablesException.Parameter("Parser cannot handle more arguments");
        }

        argv.Add(word);
    }
}
