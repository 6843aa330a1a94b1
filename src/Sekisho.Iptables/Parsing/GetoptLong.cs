using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Parsing;

/// <summary>A faithful reimplementation of glibc's <c>getopt_long()</c>.</summary>
/// <remarks>
/// iptables' command line is defined by how glibc's getopt treats it: clusters of short options (<c>-vnL</c>),
/// glued arguments (<c>-ptcp</c>), optional arguments only when glued (<c>-L</c> vs <c>-LINPUT</c>), long options
/// with <c>=value</c>, unambiguous abbreviations (<c>--dport</c> as <c>--dp</c>), <c>--</c>, and the ordering
/// modes: a leading <c>-</c> in the option string returns non-options in order as code 1 (iptables), otherwise
/// non-options are permuted to the end (iptables-restore). The state (<c>optind</c>, the position inside a
/// cluster, the permutation bounds) evolves exactly as glibc's, including when iptables moves <c>optind</c>
/// back to re-scan an argument after loading a protocol match. The argument list is permuted in place, as
/// glibc permutes <c>argv</c>.
/// </remarks>
public sealed class GetoptLong : IArgumentCursor
{
    private readonly List<string> _argv;
    private string? _nextCharString;
    private int _nextCharIndex;
    private int _firstNonopt;
    private int _lastNonopt;
    private bool _initialized;
    private Ordering _ordering;

    private readonly TextWriter? _errors;

    /// <summary>Creates a parser over <paramref name="argv"/> (which includes <c>argv[0]</c>).</summary>
    /// <param name="argv">The arguments.</param>
    /// <param name="errors">
    /// Where to print getopt's own diagnostics (<c>opterr</c> set), prefixed with <c>argv[0]</c>; null for
    /// silence (<c>opterr = 0</c>, as iptables itself sets it).
    /// </param>
    public GetoptLong(List<string> argv, TextWriter? errors = null)
    {
        _argv = argv;
        _errors = errors;
    }

    private enum Ordering
    {
        RequireOrder,
        Permute,
        ReturnInOrder,
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Arguments => _argv;

    /// <inheritdoc />
    public int OptInd { get; set; }

    /// <summary><c>optarg</c>: the argument of the option just returned, or null.</summary>
    public string? OptArg { get; private set; }

    /// <summary><c>optopt</c>: the option character of an error.</summary>
    public int OptOpt { get; private set; }

    private bool HasNextChar => _nextCharString != null && _nextCharIndex < _nextCharString.Length;

    /// <summary>
    /// Returns the next option: its short character or long option value, 1 for a non-option argument (in
    /// return-in-order mode), '?' for an unknown or ambiguous option, ':' (or '?') for a missing argument, -1
    /// at the end.
    /// </summary>
    public int Next(string optstring, IReadOnlyList<LongOption>? longopts)
    {
        int argc = _argv.Count;
        if (argc < 1)
        {
            return -1;
        }

        OptArg = null;
        if (OptInd == 0 || !_initialized)
        {
            Initialize(optstring);
        }

        // The ordering prefix ('-' or '+') is not an option character; skip it without copying the string.
        int start = optstring.Length > 0 && (optstring[0] == '-' || optstring[0] == '+') ? 1 : 0;
        bool colonFirst = optstring.Length > start && optstring[start] == ':';
        bool printErrors = _errors != null && !colonFirst;
        if (!HasNextChar)
        {
            if (_lastNonopt > OptInd)
            {
                _lastNonopt = OptInd;
            }

            if (_firstNonopt > OptInd)
            {
                _firstNonopt = OptInd;
            }

            if (_ordering == Ordering.Permute)
            {
                if (_firstNonopt != _lastNonopt && _lastNonopt != OptInd)
                {
                    Exchange();
                }
                else if (_lastNonopt != OptInd)
                {
                    _firstNonopt = OptInd;
                }

                while (OptInd < argc && IsNonOption(OptInd))
                {
                    OptInd++;
                }

                _lastNonopt = OptInd;
            }

            if (OptInd != argc && _argv[OptInd] == "--")
            {
                OptInd++;
                if (_firstNonopt != _lastNonopt && _lastNonopt != OptInd)
                {
                    Exchange();
                }
                else if (_firstNonopt == _lastNonopt)
                {
                    _firstNonopt = OptInd;
                }

                _lastNonopt = argc;
                OptInd = argc;
            }

            if (OptInd == argc)
            {
                if (_firstNonopt != _lastNonopt)
                {
                    OptInd = _firstNonopt;
                }

                return -1;
            }

            if (IsNonOption(OptInd))
            {
                if (_ordering == Ordering.RequireOrder)
                {
                    return -1;
                }

                OptArg = _argv[OptInd++];
                return 1;
            }

            if (longopts != null && _argv[OptInd][1] == '-')
            {
                _nextCharString = _argv[OptInd];
                _nextCharIndex = 2;
                return ProcessLongOption(colonFirst, longopts, printErrors);
            }

            _nextCharString = _argv[OptInd];
            _nextCharIndex = 1;
        }

        char c = _nextCharString![_nextCharIndex++];
        int temp = optstring.IndexOf(c, start);
        if (_nextCharIndex >= _nextCharString.Length)
        {
            ++OptInd;
        }

        if (temp < 0 || c == ':' || c == ';')
        {
            if (printErrors)
            {
                _errors!.Write($"{_argv[0]}: invalid option -- '{c}'\n");
            }

            OptOpt = c;
            return '?';
        }

        if (temp + 1 < optstring.Length && optstring[temp + 1] == ':')
        {
            if (temp + 2 < optstring.Length && optstring[temp + 2] == ':')
            {
                // Optional argument: only when glued.
                if (_nextCharIndex < _nextCharString.Length)
                {
                    OptArg = _nextCharString[_nextCharIndex..];
                    OptInd++;
                }
                else
                {
                    OptArg = null;
                }

                _nextCharString = null;
            }
            else
            {
                if (_nextCharIndex < _nextCharString.Length)
                {
                    OptArg = _nextCharString[_nextCharIndex..];
                    OptInd++;
                }
                else if (OptInd == argc)
                {
                    if (printErrors)
                    {
                        _errors!.Write($"{_argv[0]}: option requires an argument -- '{c}'\n");
                    }

                    OptOpt = c;
                    c = colonFirst ? ':' : '?';
                }
                else
                {
                    OptArg = _argv[OptInd++];
                }

                _nextCharString = null;
            }
        }

        return c;
    }

    private void Initialize(string optstring)
    {
        if (OptInd == 0)
        {
            OptInd = 1;
        }

        _firstNonopt = _lastNonopt = OptInd;
        _nextCharString = null;
        if (optstring.Length > 0 && optstring[0] == '-')
        {
            _ordering = Ordering.ReturnInOrder;
        }
        else if (optstring.Length > 0 && optstring[0] == '+')
        {
            _ordering = Ordering.RequireOrder;
        }
        else if (Environment.GetEnvironmentVariable("POSIXLY_CORRECT") != null)
        {
            _ordering = Ordering.RequireOrder;
        }
        else
        {
            _ordering = Ordering.Permute;
        }

        _initialized = true;
    }

    private bool IsNonOption(int index)
    {
        string arg = _argv[index];
        return arg.Length == 0 || arg[0] != '-' || arg.Length == 1;
    }

    private int ProcessLongOption(bool colonFirst, IReadOnlyList<LongOption> longopts, bool printErrors)
    {
        string s = _nextCharString!;
        int start = _nextCharIndex;
        int nameEnd = start;
        while (nameEnd < s.Length && s[nameEnd] != '=')
        {
            nameEnd++;
        }

        int nameLength = nameEnd - start;
        ReadOnlySpan<char> name = s.AsSpan(start, nameLength);

        LongOption? found = null;
        for (int i = 0; i < longopts.Count; i++)
        {
            if (longopts[i].Name.AsSpan().SequenceEqual(name))
            {
                found = longopts[i];
                break;
            }
        }

        if (found == null)
        {
            bool ambiguous = false;
            List<string>? candidates = printErrors ? [] : null;
            for (int i = 0; i < longopts.Count; i++)
            {
                var p = longopts[i];
                if (!p.Name.AsSpan().StartsWith(name))
                {
                    continue;
                }

                if (found == null)
                {
                    found = p;
                    candidates?.Add(p.Name);
                }
                else if (found.Value.HasArgument != p.HasArgument || found.Value.Value != p.Value)
                {
                    ambiguous = true;
                    candidates?.Add(p.Name);
                }
            }

            if (ambiguous)
            {
                if (printErrors)
                {
                    var message = new System.Text.StringBuilder();
                    message.Append(_argv[0]).Append(": option '--").Append(s[start..]).Append("' is ambiguous; possibilities:");
                    foreach (string candidate in candidates!)
                    {
                        message.Append(" '--").Append(candidate).Append('\'');
                    }

                    _errors!.Write(message.Append('\n').ToString());
                }

                _nextCharIndex = s.Length;
                OptInd++;
                OptOpt = 0;
                return '?';
            }
        }

        if (found == null)
        {
            if (printErrors)
            {
                _errors!.Write($"{_argv[0]}: unrecognized option '--{s[start..]}'\n");
            }

            _nextCharString = null;
            OptInd++;
            OptOpt = 0;
            return '?';
        }

        var option = found.Value;
        OptInd++;
        _nextCharString = null;
        if (nameEnd < s.Length)
        {
            if (option.HasArgument != ArgumentKind.None)
            {
                OptArg = s[(nameEnd + 1)..];
            }
            else
            {
                if (printErrors)
                {
                    _errors!.Write($"{_argv[0]}: option '--{option.Name}' doesn't allow an argument\n");
                }

                OptOpt = option.Value;
                return '?';
            }
        }
        else if (option.HasArgument == ArgumentKind.Required)
        {
            if (OptInd < _argv.Count)
            {
                OptArg = _argv[OptInd++];
            }
            else
            {
                if (printErrors)
                {
                    _errors!.Write($"{_argv[0]}: option '--{option.Name}' requires an argument\n");
                }

                OptOpt = option.Value;
                return colonFirst ? ':' : '?';
            }
        }

        return option.Value;
    }

    private void Exchange()
    {
        int bottom = _firstNonopt;
        int middle = _lastNonopt;
        int top = OptInd;
        // Rotate [bottom, top) so that [middle, top) comes first, as glibc's exchange() does.
        var moved = _argv.GetRange(middle, top - middle);
        var stayed = _argv.GetRange(bottom, middle - bottom);
        for (int i = 0; i < moved.Count; i++)
        {
            _argv[bottom + i] = moved[i];
        }

        for (int i = 0; i < stayed.Count; i++)
        {
            _argv[bottom + moved.Count + i] = stayed[i];
        }

        _firstNonopt += OptInd - _lastNonopt;
        _lastNonopt = OptInd;
    }
}
