using System.Globalization;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;

namespace Sekisho.Iptables.Parsing;

/// <summary>Parses an iptables command line exactly as iptables-legacy 1.8.9's <c>do_parse()</c> does.</summary>
/// <remarks>
/// getopt over iptables' option table, growing as <c>-m</c>, <c>-j</c> and implicit protocol matches load
/// extensions; the checks on commands and options with iptables' messages; then the post-parse step that turns
/// addresses into lists. Errors surface as <see cref="XtablesException"/> with iptables' text and status.
/// </remarks>
public sealed class CommandParser
{
    /// <summary>getopt's option string for iptables.</summary>
    public const string OptString = "-:A:C:D:E:F::I:L::M:N:P:VX::Z::c:d:i:j:o:p:s:t:R:S::W::46bfg:h::m:nvw::x";

    private const int OptionOffsetScale = 256;

    private static readonly LongOption[] s_originalOptions =
    [
        new("append", ArgumentKind.Required, 'A'),
        new("delete", ArgumentKind.Required, 'D'),
        new("check", ArgumentKind.Required, 'C'),
        new("insert", ArgumentKind.Required, 'I'),
        new("replace", ArgumentKind.Required, 'R'),
        new("list", ArgumentKind.Optional, 'L'),
        new("list-rules", ArgumentKind.Optional, 'S'),
        new("flush", ArgumentKind.Optional, 'F'),
        new("zero", ArgumentKind.Optional, 'Z'),
        new("new-chain", ArgumentKind.Required, 'N'),
        new("delete-chain", ArgumentKind.Optional, 'X'),
        new("rename-chain", ArgumentKind.Required, 'E'),
        new("policy", ArgumentKind.Required, 'P'),
        new("source", ArgumentKind.Required, 's'),
        new("destination", ArgumentKind.Required, 'd'),
        new("src", ArgumentKind.Required, 's'),
        new("dst", ArgumentKind.Required, 'd'),
        new("protocol", ArgumentKind.Required, 'p'),
        new("in-interface", ArgumentKind.Required, 'i'),
        new("jump", ArgumentKind.Required, 'j'),
        new("table", ArgumentKind.Required, 't'),
        new("match", ArgumentKind.Required, 'm'),
        new("numeric", ArgumentKind.None, 'n'),
        new("out-interface", ArgumentKind.Required, 'o'),
        new("verbose", ArgumentKind.None, 'v'),
        new("wait", ArgumentKind.Optional, 'w'),
        new("wait-interval", ArgumentKind.Optional, 'W'),
        new("exact", ArgumentKind.None, 'x'),
        new("fragments", ArgumentKind.None, 'f'),
        new("version", ArgumentKind.None, 'V'),
        new("help", ArgumentKind.Optional, 'h'),
        new("line-numbers", ArgumentKind.None, '0'),
        new("modprobe", ArgumentKind.Required, 'M'),
        new("set-counters", ArgumentKind.Required, 'c'),
        new("goto", ArgumentKind.Required, 'g'),
        new("ipv4", ArgumentKind.None, '4'),
        new("ipv6", ArgumentKind.None, '6'),
    ];

    // Option letters in OPT_* bit order, and the inversion bit each option may take.
    private static readonly char[] s_optionLetters = ['n', 's', 'd', 'p', 'j', 'v', 'x', 'i', 'o', '0', 'c', 'f'];

    private static readonly IpInvFlags[] s_inverseForOptions =
    [
        IpInvFlags.None, IpInvFlags.Source, IpInvFlags.Destination, IpInvFlags.Protocol, IpInvFlags.None,
        IpInvFlags.None, IpInvFlags.None, IpInvFlags.InInterface, IpInvFlags.OutInterface, IpInvFlags.None,
        IpInvFlags.None, IpInvFlags.Fragment,
    ];

    private static readonly char[] s_commandLetters = ['I', 'D', 'D', 'R', 'A', 'L', 'F', 'Z', 'N', 'X', 'P', 'E', 'S', 'Z', 'C'];

    // commands_v_options: for each command (CMD_* bit order), for each option (OPT_* bit order).
    private static readonly string[] s_commandsVsOptions =
    [
        /*INSERT*/     "x     x  x  ",
        /*DELETE*/     "x     x  xx ",
        /*DELETE_NUM*/ "xxxxx xxxxxx",
        /*REPLACE*/    "x     x  x  ",
        /*APPEND*/     "x     x  x  ",
        /*LIST*/       " xxxx  xx xx",
        /*FLUSH*/      "xxxxx xxxxxx",
        /*ZERO*/       "xxxxx xxxxxx",
        /*NEW_CHAIN*/  "xxxxx xxxxxx",
        /*DEL_CHAIN*/  "xxxxx xxxxxx",
        /*SET_POLICY*/ "xxxxx xxxx x",
        /*RENAME*/     "xxxxx xxxxxx",
        /*LIST_RULES*/ "xxxxx xxxxxx",
        /*ZERO_NUM*/   "xxxxx xxxxxx",
        /*CHECK*/      "x     x  xx ",
    ];

    // Merged option tables depend only on the table merged into and the extension (offsets grow by a fixed step
    // per merge), so lines that load the same extensions in the same order share them: iptables-restore of a
    // large file would otherwise build the same tables for every line.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(LongOption[], Extension), LongOption[]> s_mergedOptions =
        new(ReferencePairComparer.Instance);

    private readonly ParseEnvironment _environment;
    private readonly bool _restore;
    private State? _state;

    /// <summary>Creates a parser; one instance may parse many command lines, one after the other.</summary>
    /// <param name="environment">Name lookups and warning output.</param>
    /// <param name="restore">Whether the lines come from iptables-restore (which forbids some options).</param>
    public CommandParser(ParseEnvironment environment, bool restore = false)
    {
        _environment = environment;
        _restore = restore;
    }

    /// <summary>
    /// Raised for <c>-h</c> and <c>-V</c>: the text to print on standard output and the status to exit with.
    /// </summary>
    public sealed class EarlyExit : Exception
    {
        internal EarlyExit(string output)
            : base(output)
        {
        }

        /// <summary>What to print.</summary>
        public string Output => Message;
    }

    /// <summary>Parses <paramref name="argv"/> (with <c>argv[0]</c>) into a command.</summary>
    /// <param name="argv">The arguments; permuted in place as getopt permutes them.</param>
    public ParsedCommand Parse(List<string> argv)
    {
        var cmd = new ParsedCommand();
        _state ??= new State(_environment);
        _state.Reset(cmd, argv);
        _state.Run(this);
        return cmd;
    }

    /// <summary>The parsing state of one command line; reset and reused for the next.</summary>
    private sealed class State
    {
        private readonly ParseEnvironment _env;
        private readonly EntryContext _entry = new();
        private readonly List<ExtensionUse> _matches = [];
        private ParsedCommand _cmd = null!;
        private List<string> _argv = null!;
        private GetoptLong _getopt = null!;
        private LongOption[] _opts = s_originalOptions;
        private int _optionOffset;
        private ExtensionUse? _target;
        private bool _targetIsStandard;
        private string? _protocol;
        private bool _protoUsed;
        private string? _shostNetworkMask;
        private string? _dhostNetworkMask;
        private IpFlags _flags;
        private InterfaceName _inInterface;
        private InterfaceName _outInterface;
        private bool _tableSet;
        private bool _waitIntervalSet;

        public State(ParseEnvironment env)
        {
            _env = env;
        }

        public void Reset(ParsedCommand cmd, List<string> argv)
        {
            _cmd = cmd;
            _argv = argv;
            _getopt = new GetoptLong(argv);
            _entry.Protocol = 0;
            _entry.InvFlags = IpInvFlags.None;
            _matches.Clear();
            _opts = s_originalOptions;
            _optionOffset = 0;
            _target = null;
            _targetIsStandard = false;
            _protocol = null;
            _protoUsed = false;
            _shostNetworkMask = null;
            _dhostNetworkMask = null;
            _flags = IpFlags.None;
            _inInterface = default;
            _outInterface = default;
            _tableSet = false;
            _waitIntervalSet = false;
            _pcnt = 0;
            _bcnt = 0;
        }

        private IpInvFlags InvFlags
        {
            get => _entry.InvFlags;
            set => _entry.InvFlags = value;
        }

        public void Run(CommandParser parser)
        {
            bool invert = false;
            _getopt.OptInd = 0;
            int c;
            while ((c = _getopt.Next(OptString, _opts)) != -1)
            {
                string? optarg = _getopt.OptArg;
                switch (c)
                {
                    case 'A':
                        AddCommand(CommandKind.Append, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        break;

                    case 'C':
                        AddCommand(CommandKind.Check, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        break;

                    case 'D':
                        AddCommand(CommandKind.Delete, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        if (HasArg())
                        {
                            _cmd.RuleNumber = ParseRuleNumber(_argv[_getopt.OptInd++]);
                            _cmd.Command = CommandKind.DeleteNum;
                        }

                        break;

                    case 'R':
                        AddCommand(CommandKind.Replace, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        if (HasArg())
                        {
                            _cmd.RuleNumber = ParseRuleNumber(_argv[_getopt.OptInd++]);
                        }
                        else
                        {
                            throw XtablesException.Parameter("-R requires a rule number");
                        }

                        break;

                    case 'I':
                        AddCommand(CommandKind.Insert, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        _cmd.RuleNumber = HasArg() ? ParseRuleNumber(_argv[_getopt.OptInd++]) : 1;
                        break;

                    case 'L':
                        AddCommand(CommandKind.List, CommandKind.Zero | CommandKind.ZeroNum, invert);
                        OptionalChainAndNumber(optarg);
                        break;

                    case 'S':
                        AddCommand(CommandKind.ListRules, CommandKind.Zero | CommandKind.ZeroNum, invert);
                        OptionalChainAndNumber(optarg);
                        break;

                    case 'F':
                        AddCommand(CommandKind.Flush, CommandKind.None, invert);
                        OptionalChain(optarg);
                        break;

                    case 'Z':
                        AddCommand(CommandKind.Zero, CommandKind.List | CommandKind.ListRules, invert);
                        OptionalChain(optarg);
                        if (HasArg())
                        {
                            _cmd.RuleNumber = ParseRuleNumber(_argv[_getopt.OptInd++]);
                            _cmd.Command = CommandKind.ZeroNum;
                        }

                        break;

                    case 'N':
                        AssertValidChainName(optarg!);
                        AddCommand(CommandKind.NewChain, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        break;

                    case 'X':
                        AddCommand(CommandKind.DeleteChain, CommandKind.None, invert);
                        OptionalChain(optarg);
                        break;

                    case 'E':
                        AddCommand(CommandKind.RenameChain, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        if (HasArg())
                        {
                            _cmd.NewName = _argv[_getopt.OptInd++];
                        }
                        else
                        {
                            throw XtablesException.Parameter("-E requires old-chain-name and new-chain-name");
                        }

                        break;

                    case 'P':
                        AddCommand(CommandKind.SetPolicy, CommandKind.None, invert);
                        _cmd.Chain = optarg;
                        if (HasArg())
                        {
                            _cmd.Policy = _argv[_getopt.OptInd++];
                        }
                        else
                        {
                            throw XtablesException.Parameter("-P requires a chain and a policy");
                        }

                        break;

                    case 'h':
                        if (_matches.Count == 0 && _protocol != null && ProtocolMatchName(_protocol) is { } helpName &&
                            ExtensionRegistry.FindMatch(helpName) is { } helpMatch)
                        {
                            throw new EarlyExit(HelpText.Build([helpMatch], _target?.Extension, _targetIsStandard));
                        }

                        throw new EarlyExit(HelpText.Build(_matches.Select(m => m.Extension), _target?.Extension, _targetIsStandard));

                    case 'p':
                        SetOption(OptionFlags.Protocol, invert);
                        _protocol = optarg!.ToLowerInvariant();
                        _cmd.Ip = _cmd.Ip with { Protocol = Xt.ParseProtocol(_protocol, _env.Names) };
                        _entry.Protocol = _cmd.Ip.Protocol;
                        if (_cmd.Ip.Protocol == 0 && (InvFlags & IpInvFlags.Protocol) != 0)
                        {
                            throw XtablesException.Parameter("rule would never match protocol");
                        }

                        break;

                    case 's':
                        SetOption(OptionFlags.Source, invert);
                        _shostNetworkMask = optarg;
                        break;

                    case 'd':
                        SetOption(OptionFlags.Destination, invert);
                        _dhostNetworkMask = optarg;
                        break;

                    case 'g':
                        SetOption(OptionFlags.Jump, invert);
                        _cmd.Goto = true;
                        _cmd.JumpTo = ParseTargetName(optarg!);
                        break;

                    case 'j':
                        SetOption(OptionFlags.Jump, invert);
                        CommandJump(optarg!);
                        break;

                    case 'i':
                        CheckEmptyInterface(optarg!);
                        SetOption(OptionFlags.InInterface, invert);
                        _inInterface = Xt.ParseInterface(optarg!, _env.Stderr);
                        break;

                    case 'o':
                        CheckEmptyInterface(optarg!);
                        SetOption(OptionFlags.OutInterface, invert);
                        _outInterface = Xt.ParseInterface(optarg!, _env.Stderr);
                        break;

                    case 'f':
                        SetOption(OptionFlags.Fragment, invert);
                        _flags |= IpFlags.Fragment;
                        break;

                    case 'v':
                        if (_cmd.Verbose == 0)
                        {
                            SetOption(OptionFlags.Verbose, invert);
                        }

                        _cmd.Verbose++;
                        break;

                    case 'm':
                        CommandMatch(optarg!, invert);
                        break;

                    case 'n':
                        SetOption(OptionFlags.Numeric, invert);
                        break;

                    case 't':
                        if (invert)
                        {
                            throw XtablesException.Parameter("unexpected ! flag before --table");
                        }

                        if (parser._restore && _tableSet)
                        {
                            throw XtablesException.Parameter("The -t option cannot be used in iptables-restore.\n");
                        }

                        _cmd.Table = optarg!;
                        _tableSet = true;
                        break;

                    case 'x':
                        SetOption(OptionFlags.Expanded, invert);
                        break;

                    case 'V':
                        throw new EarlyExit(invert ? "Not 1.8.9 (legacy) ;-)\n" : "iptables v1.8.9 (legacy)\n");

                    case 'w':
                        if (parser._restore)
                        {
                            throw XtablesException.Parameter("You cannot use `-w' from iptables-restore");
                        }

                        _cmd.Wait = ParseWaitTime(optarg);
                        _cmd.WaitGiven = true;
                        break;

                    case 'W':
                        if (parser._restore)
                        {
                            throw XtablesException.Parameter("You cannot use `-W' from iptables-restore");
                        }

                        ParseWaitInterval(optarg);
                        _waitIntervalSet = true;
                        break;

                    case '0':
                        SetOption(OptionFlags.LineNumbers, invert);
                        break;

                    case 'M':
                        break;

                    case 'c':
                        SetOption(OptionFlags.Counters, invert);
                        ParseCounters(optarg!);
                        break;

                    case '4':
                        break;

                    case '6':
                        if (parser._restore)
                        {
                            _cmd.Ignored = true;
                            return;
                        }

                        throw new XtablesException(ExitStatus.ParameterProblem, string.Empty, XtablesErrorStyle.RawWithHelp);

                    case 1:
                        if (optarg == "!")
                        {
                            if (invert)
                            {
                                throw XtablesException.Parameter("multiple consecutive ! not allowed");
                            }

                            invert = true;
                            continue;
                        }

                        throw new XtablesException(ExitStatus.ParameterProblem, $"Bad argument `{optarg}'\n",
                            XtablesErrorStyle.RawWithHelp);

                    default:
                        if (CommandDefault(c, optarg, invert))
                        {
                            continue;
                        }

                        break;
                }

                invert = false;
            }

            Finish(parser, invert);
        }

        private void Finish(CommandParser parser, bool invert)
        {
            if (_cmd.Table == "nat" &&
                ((_cmd.Policy != null && _cmd.Policy == "DROP") || _cmd.JumpTo == "DROP"))
            {
                throw XtablesException.Parameter(
                    "\nThe \"nat\" table is not intended for filtering, the use of DROP is therefore inhibited.\n\n");
            }

            if (_cmd.Wait == 0 && _waitIntervalSet)
            {
                throw XtablesException.Parameter("--wait-interval only makes sense with --wait\n");
            }

            foreach (var use in _matches)
            {
                FinalCheck(use);
            }

            if (_target != null)
            {
                FinalCheck(_target);
            }

            if (_getopt.OptInd < _argv.Count)
            {
                throw XtablesException.Parameter("unknown arguments found on commandline");
            }

            if (_cmd.Command == CommandKind.None)
            {
                throw XtablesException.Parameter("no command specified");
            }

            if (invert)
            {
                throw XtablesException.Parameter("nothing appropriate following !");
            }

            PostParse();

            if (_cmd.Command == CommandKind.Replace && (_cmd.Sources.Count != 1 || _cmd.Destinations.Count != 1))
            {
                throw XtablesException.Parameter("Replacement rule does not specify a unique address");
            }

            GenericOptionCheck(_cmd.Command, _cmd.Options);

            if (_cmd.Chain != null && Xt.CLength(_cmd.Chain) >= Xt.ExtensionMaxNameLength)
            {
                throw XtablesException.Parameter(
                    $"chain name `{_cmd.Chain}' too long (must be under {Xt.ExtensionMaxNameLength} chars)");
            }

            const CommandKind ruleCommands = CommandKind.Append | CommandKind.Delete | CommandKind.DeleteNum |
                                             CommandKind.Check | CommandKind.Insert | CommandKind.Replace;
            if ((_cmd.Command & ruleCommands) != 0 && (_cmd.Command & ~ruleCommands) == 0 &&
                System.Numerics.BitOperations.PopCount((uint)_cmd.Command) == 1)
            {
                if ((_cmd.Chain == "PREROUTING" || _cmd.Chain == "INPUT") && (_cmd.Options & OptionFlags.OutInterface) != 0)
                {
                    throw XtablesException.Parameter($"Can't use -o with {_cmd.Chain}\n");
                }

                if ((_cmd.Chain == "POSTROUTING" || _cmd.Chain == "OUTPUT") && (_cmd.Options & OptionFlags.InInterface) != 0)
                {
                    throw XtablesException.Parameter($"Can't use -i with {_cmd.Chain}\n");
                }
            }

            foreach (var use in _matches)
            {
                _cmd.Matches.Add(((MatchParser)use.Parser).Build());
            }

            if (_target != null)
            {
                _cmd.Target = ((TargetParser)_target.Parser).Build();
                _cmd.TargetIsExtension = true;
            }
            else if (_targetIsStandard)
            {
                _cmd.Target = VerdictTarget.FromName(_cmd.JumpTo);
                _cmd.TargetIsExtension = true;
            }
        }

        private static void FinalCheck(ExtensionUse use)
        {
            use.Parser.FinalCheck(use.Extension.Name);
            if (use.Extension.IsTyped)
            {
                XtOptionParsing.FinalCheck(use.Extension.Name, use.Parser.Flags, use.Extension.Options);
            }
        }

        private void PostParse()
        {
            _cmd.Ip = _cmd.Ip with
            {
                Flags = _flags | (_cmd.Goto ? IpFlags.Goto : IpFlags.None),
                InvFlags = InvFlags,
                InInterface = _inInterface,
                OutInterface = _outInterface,
            };
            _cmd.PacketCounter = _pcnt;
            _cmd.ByteCounter = _bcnt;

            const CommandKind addressCommands = CommandKind.Replace | CommandKind.Insert | CommandKind.Delete |
                                                CommandKind.Append | CommandKind.Check;
            if ((_cmd.Command & addressCommands) != 0)
            {
                if ((_cmd.Options & OptionFlags.Destination) == 0)
                {
                    _dhostNetworkMask = "0.0.0.0/0";
                }

                if ((_cmd.Options & OptionFlags.Source) == 0)
                {
                    _shostNetworkMask = "0.0.0.0/0";
                }
            }

            if (_shostNetworkMask != null)
            {
                Xt.ParseMultiple(_shostNetworkMask, _env.Names, _cmd.Sources);
            }

            if (_dhostNetworkMask != null)
            {
                Xt.ParseMultiple(_dhostNetworkMask, _env.Names, _cmd.Destinations);
            }

            if ((_cmd.Sources.Count > 1 || _cmd.Destinations.Count > 1) &&
                (InvFlags & (IpInvFlags.Source | IpInvFlags.Destination)) != 0)
            {
                throw XtablesException.Parameter("! not allowed with multiple source or destination IP addresses");
            }
        }

        private ulong _pcnt;
        private ulong _bcnt;

        private void ParseCounters(string optarg)
        {
            string pcnt = optarg;
            string? bcnt = null;
            int comma = optarg.Length > 1 ? optarg.IndexOf(',', 1) : -1;
            if (comma >= 0)
            {
                bcnt = optarg[(comma + 1)..];
            }

            if (bcnt == null && HasArg())
            {
                bcnt = _argv[_getopt.OptInd++];
            }

            if (bcnt == null)
            {
                throw XtablesException.Parameter("-c requires packet and byte counter");
            }

            if (!CNumbers.TryScanUInt64(pcnt, out _pcnt))
            {
                throw XtablesException.Parameter("-c packet counter not numeric");
            }

            if (!CNumbers.TryScanUInt64(bcnt, out _bcnt))
            {
                throw XtablesException.Parameter("-c byte counter not numeric");
            }
        }

        private int ParseWaitTime(string? optarg)
        {
            int wait = -1;
            if (optarg != null)
            {
                if (!CNumbers.TryScanInt(optarg, out wait))
                {
                    throw XtablesException.Parameter("wait seconds not numeric");
                }
            }
            else if (HasArg())
            {
                if (!CNumbers.TryScanInt(_argv[_getopt.OptInd++], out wait))
                {
                    throw XtablesException.Parameter("wait seconds not numeric");
                }
            }

            return wait;
        }

        private void ParseWaitInterval(string? optarg)
        {
            string arg;
            if (optarg != null)
            {
                arg = optarg;
            }
            else if (HasArg())
            {
                arg = _argv[_getopt.OptInd++];
            }
            else
            {
                throw XtablesException.Parameter("wait interval value required");
            }

            if (CNumbers.TryScanUnsigned(arg, out uint usec))
            {
                if (usec > 999999)
                {
                    throw XtablesException.Parameter($"too long usec wait {usec} > 999999 usec");
                }

                _env.Stderr.Write("Ignoring deprecated --wait-interval option.\n");
                return;
            }

            throw XtablesException.Parameter("wait interval not numeric");
        }

        private bool HasArg()
        {
            int optind = _getopt.OptInd;
            return optind < _argv.Count && (_argv[optind].Length == 0 || (_argv[optind][0] != '-' && _argv[optind][0] != '!'));
        }

        private void OptionalChain(string? optarg)
        {
            if (optarg != null)
            {
                _cmd.Chain = optarg;
            }
            else if (HasArg())
            {
                _cmd.Chain = _argv[_getopt.OptInd++];
            }
        }

        private void OptionalChainAndNumber(string? optarg)
        {
            OptionalChain(optarg);
            if (HasArg())
            {
                _cmd.RuleNumber = ParseRuleNumber(_argv[_getopt.OptInd++]);
            }
        }

        private void AddCommand(CommandKind newCommand, CommandKind otherCommands, bool invert)
        {
            if (invert)
            {
                throw XtablesException.Parameter("unexpected '!' flag");
            }

            if ((_cmd.Command & ~otherCommands) != 0)
            {
                throw XtablesException.Parameter(
                    $"Cannot use -{CommandLetter(newCommand)} with -{CommandLetter(_cmd.Command & ~otherCommands)}");
            }

            _cmd.Command |= newCommand;
        }

        private static char CommandLetter(CommandKind command)
        {
            int option = (int)command;
            int i = 0;
            for (; option > 1; option >>= 1, i++)
            {
            }

            return s_commandLetters[i];
        }

        private static uint ParseRuleNumber(string rule)
        {
            if (!CNumbers.TryStrToUI(rule, out uint number, 1, int.MaxValue))
            {
                throw XtablesException.Parameter($"Invalid rule number `{rule}'");
            }

            return number;
        }

        private void SetOption(OptionFlags option, bool invert)
        {
            if ((_cmd.Options & option) != 0)
            {
                throw XtablesException.Parameter($"multiple -{OptionLetter(option)} flags not allowed");
            }

            _cmd.Options |= option;
            if (invert)
            {
                int i = System.Numerics.BitOperations.TrailingZeroCount((uint)option);
                if (s_inverseForOptions[i] == IpInvFlags.None)
                {
                    throw XtablesException.Parameter($"cannot have ! before -{OptionLetter(option)}");
                }

                InvFlags |= s_inverseForOptions[i];
            }
        }

        private static char OptionLetter(OptionFlags option)
        {
            int value = (int)option;
            int i = 0;
            for (; value > 1; value >>= 1, i++)
            {
            }

            return s_optionLetters[i];
        }

        private void CheckEmptyInterface(string arg)
        {
            if (arg.Length == 0)
            {
                throw XtablesException.Parameter("Empty interface is likely to be undesired");
            }
        }

        private void AssertValidChainName(string name)
        {
            if (Xt.CLength(name) >= Xt.ExtensionMaxNameLength)
            {
                throw XtablesException.Parameter(
                    $"chain name `{name}' too long (must be under {Xt.ExtensionMaxNameLength} chars)");
            }

            if (name.StartsWith('-') || name.StartsWith('!'))
            {
                throw XtablesException.Parameter($"chain name not allowed to start with `{name[0]}'");
            }

            if (VerdictTarget.FromName(name) != null || ExtensionRegistry.FindTarget(name) != null)
            {
                throw XtablesException.Parameter("chain name may not clash with target name");
            }

            foreach (char ch in name)
            {
                if (CNumbers.IsCSpace(ch))
                {
                    throw XtablesException.Parameter($"Invalid chain name `{name}'");
                }
            }
        }

        private static string ParseTargetName(string name)
        {
            if (name.Length < 1)
            {
                throw XtablesException.Parameter("Invalid target name (too short)");
            }

            if (Xt.CLength(name) >= Xt.ExtensionMaxNameLength)
            {
                throw XtablesException.Parameter(
                    $"Invalid target name `{name}' ({Xt.ExtensionMaxNameLength - 1} chars max)");
            }

            foreach (char ch in name)
            {
                if (CNumbers.IsCSpace(ch))
                {
                    throw XtablesException.Parameter($"Invalid target name `{name}'");
                }
            }

            return name;
        }

        private void CommandJump(string jumpTo)
        {
            _cmd.JumpTo = ParseTargetName(jumpTo);
            if (VerdictTarget.FromName(jumpTo) != null)
            {
                _targetIsStandard = true;
                _target = null;
                return;
            }

            var extension = ExtensionRegistry.FindTarget(jumpTo);
            _targetIsStandard = false;
            if (extension == null)
            {
                _target = null;
                return;
            }

            _target = new ExtensionUse(extension, extension.CreateParser(), MergeOptions(extension));
        }

        private void CommandMatch(string name, bool invert)
        {
            if (invert)
            {
                throw XtablesException.Parameter("unexpected ! flag before --match");
            }

            LoadMatch(name, mustSucceed: true);
        }

        private ExtensionUse? LoadMatch(string name, bool mustSucceed)
        {
            if (Xt.CLength(name) >= Xt.ExtensionMaxNameLength)
            {
                throw XtablesException.Parameter(
                    $"Invalid match name \"{name}\" ({Xt.ExtensionMaxNameLength - 1} chars max)");
            }

            var extension = ExtensionRegistry.FindMatch(name);
            if (extension == null)
            {
                if (mustSucceed)
                {
                    throw XtablesException.Parameter($"Couldn't load match `{name}':No such file or directory\n");
                }

                return null;
            }

            ExtensionUse? original = null;
            foreach (var use in _matches)
            {
                if (use.Extension.Name == extension.Name)
                {
                    original ??= use;
                    use.Completed = true;
                }
            }

            var newUse = new ExtensionUse(extension, extension.CreateParser(), -1);
            if (original != null)
            {
                // A clone shares the option range of the first use; earlier uses are completed.
                newUse.Offset = original.Offset;
            }
            else
            {
                newUse.Offset = MergeOptions(extension);
            }

            _matches.Add(newUse);
            return newUse;
        }

        private int MergeOptions(Extension extension)
        {
            if (extension.Options.Length == 0)
            {
                return -1;
            }

            _optionOffset += OptionOffsetScale;
            int offset = _optionOffset;
            var key = (_opts, extension);
            if (s_mergedOptions.TryGetValue(key, out var cached))
            {
                _opts = cached;
                return offset;
            }

            // The base options first, then the new extension's, then those merged before (xtables_merge_options).
            var merged = new LongOption[_opts.Length + extension.Options.Length];
            int n = s_originalOptions.Length;
            Array.Copy(s_originalOptions, merged, n);
            foreach (var option in extension.Options)
            {
                merged[n++] = new LongOption(option.Name, option.HasArgument, offset + option.Id);
            }

            Array.Copy(_opts, s_originalOptions.Length, merged, n, _opts.Length - s_originalOptions.Length);
            s_mergedOptions.TryAdd(key, merged);
            _opts = merged;
            return offset;
        }

        private bool CommandDefault(int c, string? optarg, bool invert)
        {
            if (_target is { Offset: >= 0 } target && c >= target.Offset && c < target.Offset + OptionOffsetScale)
            {
                Dispatch(target, c, optarg, invert);
                return false;
            }

            foreach (var use in _matches)
            {
                if (use.Completed || use.Offset < 0)
                {
                    continue;
                }

                if (c < use.Offset || c >= use.Offset + OptionOffsetScale)
                {
                    continue;
                }

                Dispatch(use, c, optarg, invert);
                return false;
            }

            if (ShouldLoadProtocol() && _protocol != null)
            {
                string? name = ProtocolMatchName(_protocol);
                if (name != null && ExtensionRegistry.FindMatch(name) is { } extension)
                {
                    _protoUsed = true;
                    var use = new ExtensionUse(extension, extension.CreateParser(), -1);
                    foreach (var existing in _matches)
                    {
                        if (existing.Extension.Name == extension.Name)
                        {
                            existing.Completed = true;
                        }
                    }

                    use.Offset = MergeOptions(extension);
                    _matches.Add(use);
                    _getopt.OptInd--;
                    return true;
                }
            }

            if (c == ':')
            {
                throw XtablesException.Parameter($"option \"{_argv[_getopt.OptInd - 1]}\" requires an argument");
            }

            if (c == '?')
            {
                throw XtablesException.Parameter($"unknown option \"{_argv[_getopt.OptInd - 1]}\"");
            }

            throw XtablesException.Parameter($"Unknown arg \"{optarg}\"");
        }

        private bool ShouldLoadProtocol()
        {
            if (_protocol == null)
            {
                return false;
            }

            string? name = ProtocolMatchName(_protocol);
            bool loaded = name != null && _matches.Any(m => m.Extension.Name == name);
            return !loaded || !_protoUsed;
        }

        private string? ProtocolMatchName(string protocol)
        {
            if (CNumbers.TryStrToUI(protocol, out uint number, 0, byte.MaxValue))
            {
                return Xt.ProtocolToName((byte)number, (_cmd.Options & OptionFlags.Numeric) != 0, _env.Names);
            }

            return protocol;
        }

        private void Dispatch(ExtensionUse use, int c, string? optarg, bool invert)
        {
            int id = c - use.Offset;
            XtOption? entry = null;
            foreach (var option in use.Extension.Options)
            {
                if (option.Id == id)
                {
                    entry = option;
                    break;
                }
            }

            if (entry == null)
            {
                throw XtablesException.Other($"Extension does not know id {id}");
            }

            var call = new OptionCall(entry, optarg, invert, use.Extension.Name, _getopt, _env, _entry);
            if (entry.Type != XtOptionType.Legacy)
            {
                uint flags = use.Parser.Flags;
                XtOptionParsing.Parse(call, ref flags);
                use.Parser.Flags = flags;
            }

            use.Parser.Parse(call);
        }

        private static void GenericOptionCheck(CommandKind command, OptionFlags options)
        {
            for (int i = 0; i < s_optionLetters.Length; i++)
            {
                int legal = 0;
                for (int j = 0; j < s_commandsVsOptions.Length; j++)
                {
                    if (((int)command & (1 << j)) == 0)
                    {
                        continue;
                    }

                    char rule = s_commandsVsOptions[j][i];
                    if (((int)options & (1 << i)) == 0)
                    {
                        if (rule == '+')
                        {
                            throw XtablesException.Parameter(
                                $"You need to supply the `-{s_optionLetters[i]}' option for this command");
                        }
                    }
                    else if (rule != 'x')
                    {
                        legal = 1;
                    }
                    else if (legal == 0)
                    {
                        legal = -1;
                    }
                }

                if (legal == -1)
                {
                    throw XtablesException.Parameter($"Illegal option `-{s_optionLetters[i]}' with this command");
                }
            }
        }
    }

    private sealed class ReferencePairComparer : IEqualityComparer<(LongOption[], Extension)>
    {
        public static ReferencePairComparer Instance { get; } = new();

        public bool Equals((LongOption[], Extension) x, (LongOption[], Extension) y) =>
            ReferenceEquals(x.Item1, y.Item1) && ReferenceEquals(x.Item2, y.Item2);

        public int GetHashCode((LongOption[], Extension) obj) =>
            HashCode.Combine(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item1),
                System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj.Item2));
    }
}
