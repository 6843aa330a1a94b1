using System.Text;

namespace Sekisho.Iptables.Commands;

/// <summary>Splits a command line into words the way a POSIX shell does (quotes and backslashes; no expansion).</summary>
public static class ShellWords
{
    /// <summary>The words of <paramref name="line"/>.</summary>
    public static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        bool inWord = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            switch (c)
            {
                case ' ' or '\t' or '\n':
                    if (inWord)
                    {
                        words.Add(current.ToString());
                        current.Clear();
                        inWord = false;
                    }

                    break;
                case '\'':
                    inWord = true;
                    int close = line.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        throw new FormatException($"Unterminated single quote in: {line}");
                    }

                    current.Append(line, i + 1, close - i - 1);
                    i = close;
                    break;
                case '"':
                    inWord = true;
                    i++;
                    while (i < line.Length && line[i] != '"')
                    {
                        if (line[i] == '\\' && i + 1 < line.Length && line[i + 1] is '"' or '\\' or '$' or '`')
                        {
                            i++;
                        }

                        current.Append(line[i]);
                        i++;
                    }

                    if (i >= line.Length)
                    {
                        throw new FormatException($"Unterminated double quote in: {line}");
                    }

                    break;
                case '\\':
                    inWord = true;
                    if (i + 1 < line.Length)
                    {
                        current.Append(line[++i]);
                    }

                    break;
                default:
                    inWord = true;
                    current.Append(c);
                    break;
            }
        }

        if (inWord)
        {
            words.Add(current.ToString());
        }

        return words;
    }
}
