using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Commands;

/// <summary>Splits an iptables-restore rule line into arguments.</summary>
/// <remarks>
/// iptables' <c>tokenize_rule_counters()</c> and <c>add_param_to_argv()</c>: an optional <c>[pkts:bytes]</c>
/// prefix, then words separated by blanks, with double quotes grouping and backslash escaping inside quotes.
/// </remarks>
internal static class RestoreTokenizer
{
    /// <summary>Maximum length of one argument (iptables' 1024-byte parameter buffer).</summary>
    private const int MaxParameterLength = 1024;

    /// <summary>Maximum number of arguments (iptables' MAX_ARGC).</summary>
    private const int MaxArguments = 255;

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
    public static void AddParameters(List<string> argv, string text, int start)
    {
        bool quoteOpen = false;
        bool escaped = false;
        var param = new System.Text.StringBuilder();
        for (int i = start; i < text.Length; i++)
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
                    quoteOpen = false;
                }
                else
                {
                    Add(param, c);
                    continue;
                }
            }
            else if (c == '"')
            {
                quoteOpen = true;
                continue;
            }

            switch (c)
            {
                case '"':
                    break;
                case ' ':
                case '\t':
                case '\n':
                    if (param.Length == 0)
                    {
                        continue;
                    }

                    break;
                default:
                    Add(param, c);
                    continue;
            }

            Push(argv, param);
        }

        if (param.Length > 0)
        {
            Push(argv, param);
        }
    }

    private static void Add(System.Text.StringBuilder param, char c)
    {
        param.Append(c);
        if (param.Length >= MaxParameterLength)
        {
            throw XtablesException.Parameter("Parameter too long!");
        }
    }

    private static void Push(List<string> argv, System.Text.StringBuilder param)
    {
        if (argv.Count + 1 >= MaxArguments)
        {
            throw XtablesException.Parameter("Parser cannot handle more arguments");
        }

        argv.Add(param.ToString());
        param.Clear();
    }
}
