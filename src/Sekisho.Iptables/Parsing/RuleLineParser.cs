using System.Collections.Immutable;
using System.Globalization;
using Sekisho.Netfilter.Extensions;
using Sekisho.Netfilter.Extensions.Matches;
using Sekisho.Netfilter.Extensions.Targets;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Syntax;
using Sekisho.Packets;

namespace Sekisho.Iptables.Parsing;

/// <summary>
/// iptables-restore's shortcut for the commonest rule lines, read straight from the input bytes: <c>-A</c> with
/// addresses, interfaces, a protocol, tcp/udp ports, and a verdict, a chain or <c>LOG</c> with a prefix.
/// </summary>
/// <remarks>
/// <para>
/// The lines taken are those <see cref="FastRuleParser"/> takes (every token in its canonical form, nothing that
/// could warn or fail in the parser), plus <c>-j LOG [--log-prefix P]</c> with a plain ASCII prefix; the result
/// is the rule the general parser would build. Any other line — an abbreviation, a service name, quotes
/// elsewhere, a repeated option, another extension, a mistake — is left to the general path, which gives
/// iptables' exact behaviour, message and all. Nothing is allocated for a line but the rule (and a LOG prefix).
/// </para>
/// <para>
/// <see cref="RuleLine.Canonical"/> tells whether the line is, byte for byte, what iptables-save prints for the
/// rule (its options in save order, single spaces, masked addresses with their prefix length, ports and names in
/// save form, no <c>#save</c> form needed): then the state file can hold the input line itself instead of
/// printing the rule again.
/// </para>
/// </remarks>
internal sealed class RuleLineParser
{
    private const int MaxNameLength = 64;

    private readonly Dictionary<string, string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public RuleLineParser()
    {
        _lookup = _names.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Save-order ranks of the options: a canonical line has them strictly increasing.</summary>
    private enum Rank
    {
        None,
        Source,
        Destination,
        InInterface,
        OutInterface,
        Protocol,
        Match,
        Target,
    }

    /// <summary>
    /// Parses a rule line of <paramref name="table"/> (newline included); false when the general path must take
    /// it. With <paramref name="counters"/> (<c>-c</c>) a <c>[packets:bytes]</c> prefix sets the counters.
    /// </summary>
    public bool TryParse(ReadOnlySpan<byte> line, string table, bool counters, out RuleLine result)
    {
        result = default;
        if (line.IsEmpty || line[^1] != (byte)'\n')
        {
            return false;
        }

        line = line[..^1];
        int position = 0;
        ulong packets = 0, bytes = 0;
        if (line[0] == (byte)'[')
        {
            // "[packets:bytes] ", both decimal; the general path handles every other shape and its errors.
            int close = line.IndexOf((byte)']');
            int colon = line.IndexOf((byte)':');
            if (close < 0 || colon < 0 || colon > close || close + 1 >= line.Length || line[close + 1] != (byte)' ' ||
                !PlainDecimal.TryParse(line[1..colon], ulong.MaxValue, out ulong p) ||
                !PlainDecimal.TryParse(line[(colon + 1)..close], ulong.MaxValue, out ulong b))
            {
                return false;
            }

            if (counters)
            {
                packets = p;
                bytes = b;
            }

            position = close + 2;
        }

        var tokens = new Tokens(line, position);
        if (!tokens.Next(out var command) || !command.SequenceEqual("-A"u8) || !tokens.Next(out var chainName) ||
            !TryName(chainName, out string? chain))
        {
            return false;
        }

        int bodyStart = position;
        bool canonical = true;
        var ip = default(IpHeaderMatch);
        var inv = IpInvFlags.None;
        var options = OptionFlags.None;
        bool haveSource = false, haveDestination = false;
        Range source = default, destination = default;
        Rank rank = Rank.None;
        ushort sportMin = 0, sportMax = ushort.MaxValue, dportMin = 0, dportMax = ushort.MaxValue;
        byte portMatch = 0;
        byte portInvert = 0;
        string jumpTo = string.Empty;
        bool isGoto = false;
        TargetInfo? target = null;
        while (tokens.Next(out var option))
        {
            bool invert = false;
            if (option.SequenceEqual("!"u8))
            {
                invert = true;
                if (!tokens.Next(out option))
                {
                    return false;
                }
            }

            if (option.SequenceEqual("-j"u8) || option.SequenceEqual("-g"u8))
            {
                isGoto = option[1] == (byte)'g';
                if (invert || !tokens.Next(out var name) || !TryName(name, out string? targetName) ||
                    !TryTarget(ref tokens, targetName, isGoto, out target))
                {
                    return false;
                }

                jumpTo = targetName;
                canonical &= rank < Rank.Target;
                rank = Rank.Target;
                break;
            }

            if (!tokens.Next(out var value))
            {
                return false;
            }

            Rank current;
            if (option.SequenceEqual("-s"u8) && !haveSource)
            {
                if (!TryPrefix(value, invert, out var address, out var mask, ref canonical, out bool rewrite))
                {
                    return false;
                }

                source = rewrite ? new Range(tokens.Position - value.Length, tokens.Position) : default;

                haveSource = true;
                options |= OptionFlags.Source;
                ip = ip with { Source = address, SourceMask = mask };
                inv |= invert ? IpInvFlags.Source : 0;
                current = Rank.Source;
            }
            else if (option.SequenceEqual("-d"u8) && !haveDestination)
            {
                if (!TryPrefix(value, invert, out var address, out var mask, ref canonical, out bool rewrite))
                {
                    return false;
                }

                destination = rewrite ? new Range(tokens.Position - value.Length, tokens.Position) : default;

                haveDestination = true;
                options |= OptionFlags.Destination;
                ip = ip with { Destination = address, DestinationMask = mask };
                inv |= invert ? IpInvFlags.Destination : 0;
                current = Rank.Destination;
            }
            else if (option.SequenceEqual("-i"u8) && (options & OptionFlags.InInterface) == 0 && IsPlainInterface(value))
            {
                options |= OptionFlags.InInterface;
                ip = ip with { InInterface = new InterfaceName(Intern(value)) };
                inv |= invert ? IpInvFlags.InInterface : 0;
                canonical &= !value.SequenceEqual("+"u8);
                current = Rank.InInterface;
            }
            else if (option.SequenceEqual("-o"u8) && (options & OptionFlags.OutInterface) == 0 && IsPlainInterface(value))
            {
                options |= OptionFlags.OutInterface;
                ip = ip with { OutInterface = new InterfaceName(Intern(value)) };
                inv |= invert ? IpInvFlags.OutInterface : 0;
                canonical &= !value.SequenceEqual("+"u8);
                current = Rank.OutInterface;
            }
            else if (option.SequenceEqual("-p"u8) && (options & OptionFlags.Protocol) == 0)
            {
                if (!TryProtocol(value, out byte protocol, ref canonical) || (protocol == 0 && invert))
                {
                    return false;
                }

                options |= OptionFlags.Protocol;
                ip = ip with { Protocol = protocol };
                inv |= invert ? IpInvFlags.Protocol : 0;
                current = Rank.Protocol;
            }
            else if (option.SequenceEqual("-m"u8) && portMatch == 0 && !invert &&
                     (value.SequenceEqual("tcp"u8) || value.SequenceEqual("udp"u8)))
            {
                portMatch = value[0] == (byte)'t' ? IpProtocol.Tcp : IpProtocol.Udp;
                current = Rank.Match;
            }
            else if (option.SequenceEqual("--sport"u8) || option.SequenceEqual("--dport"u8))
            {
                // Either after "-m tcp|udp", or loading the protocol's match implicitly after "-p tcp|udp" (which
                // iptables-save writes with its "-m").
                if (portMatch == 0)
                {
                    if ((options & OptionFlags.Protocol) == 0 || ip.Protocol is not (IpProtocol.Tcp or IpProtocol.Udp))
                    {
                        return false;
                    }

                    portMatch = ip.Protocol;
                    canonical = false;
                }

                bool sport = option[2] == (byte)'s';
                byte bit = sport ? (byte)1 : (byte)2;
                if ((portInvert & (bit << 4)) != 0 || !TryPortRange(value, out ushort min, out ushort max, ref canonical))
                {
                    return false;
                }

                if (sport)
                {
                    (sportMin, sportMax) = (min, max);
                }
                else
                {
                    (dportMin, dportMax) = (min, max);
                }

                // iptables-save writes --sport before --dport, and leaves out an uninverted full range.
                canonical &= rank == Rank.Match && (!sport || (portInvert & 0x20) == 0) &&
                             !(min == 0 && max == ushort.MaxValue && !invert);
                portInvert |= (byte)((bit << 4) | (invert ? bit : 0));
                current = Rank.Match;
                if (rank == Rank.Match)
                {
                    continue;
                }
            }
            else
            {
                return false;
            }

            canonical &= current > rank;
            rank = current;
        }

        if (tokens.Next(out _))
        {
            // Something after the target: not for the shortcut.
            return false;
        }

        // The checks do_parse makes after the loop; a line that would fail them goes to the general path.
        if ((table == "nat" && jumpTo == "DROP") ||
            ((chain is "PREROUTING" or "INPUT") && (options & OptionFlags.OutInterface) != 0) ||
            ((chain is "POSTROUTING" or "OUTPUT") && (options & OptionFlags.InInterface) != 0))
        {
            return false;
        }

        if (portMatch == IpProtocol.Tcp)
        {
            // A match with no option prints nothing after "-m tcp": still canonical.
            var match = new TcpMatch(sportMin, sportMax, dportMin, dportMax, 0, 0, 0, (TcpMatch.Inversions)(portInvert & 0x3));
            result = new RuleLine(chain, jumpTo, isGoto, target, ImmutableArray.Create<MatchInfo>(match), ip, inv,
                packets, bytes, bodyStart, line.Length - bodyStart, canonical && tokens.Canonical, source, destination);
        }
        else if (portMatch == IpProtocol.Udp)
        {
            var match = new UdpMatch(sportMin, sportMax, dportMin, dportMax, (UdpMatch.Inversions)(portInvert & 0x3));
            result = new RuleLine(chain, jumpTo, isGoto, target, ImmutableArray.Create<MatchInfo>(match), ip, inv,
                packets, bytes, bodyStart, line.Length - bodyStart, canonical && tokens.Canonical, source, destination);
        }
        else
        {
            result = new RuleLine(chain, jumpTo, isGoto, target, ImmutableArray<MatchInfo>.Empty, ip, inv,
                packets, bytes, bodyStart, line.Length - bodyStart, canonical && tokens.Canonical, source, destination);
        }

        return true;
    }

    /// <summary>
    /// The target of <c>-j NAME</c>/<c>-g NAME</c>: a verdict, <c>LOG</c> with its options, or null for a chain
    /// (resolved against the table by the caller); false for a target extension the shortcut does not take.
    /// </summary>
    private static bool TryTarget(ref Tokens tokens, string name, bool isGoto, out TargetInfo? target)
    {
        target = null;
        if (isGoto)
        {
            return true;
        }

        if (VerdictTarget.FromName(name) is { } verdict)
        {
            target = verdict;
            return true;
        }

        if (name != "LOG")
        {
            return ExtensionRegistry.FindTarget(name) == null;
        }

        // LOG with nothing or a plain prefix: "--log-prefix WORD" or "--log-prefix "TEXT"".
        if (!tokens.Next(out var option))
        {
            target = new LogTarget(LogTarget.LogFlags.None, LogTarget.DefaultLevel, string.Empty);
            return true;
        }

        if (!option.SequenceEqual("--log-prefix"u8) || !tokens.NextQuoted(out var prefix, out bool quoted) ||
            prefix.Length is 0 or >= LogTarget.PrefixSize)
        {
            return false;
        }

        Span<char> chars = stackalloc char[LogTarget.PrefixSize];
        bool plain = true;
        for (int i = 0; i < prefix.Length; i++)
        {
            byte c = prefix[i];
            if (c < 0x20 || c >= 0x7F || c is (byte)'"' or (byte)'\\' or (byte)'\'')
            {
                return false;
            }

            plain &= c is (byte)'_' or (byte)'-' || char.IsAsciiLetterOrDigit((char)c);
            chars[i] = (char)c;
        }

        // iptables-save quotes exactly the prefixes that are not a plain word.
        tokens.Canonical &= quoted != plain;
        target = new LogTarget(LogTarget.LogFlags.None, LogTarget.DefaultLevel, new string(chars[..prefix.Length]));
        return true;
    }

    /// <summary>A chain or target name the parser would take without complaint, as a shared string.</summary>
    private bool TryName(ReadOnlySpan<byte> name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        text = null;
        if (name.Length == 0 || name.Length >= Xt.ExtensionMaxNameLength || name[0] is (byte)'-' or (byte)'!')
        {
            return false;
        }

        foreach (byte c in name)
        {
            if (c <= ' ' || c >= 0x7F || c == '"')
            {
                return false;
            }
        }

        text = Intern(name);
        return true;
    }

    private static bool IsPlainInterface(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.Length >= Xt.InterfaceNameSize || name[0] is (byte)'-' or (byte)'!')
        {
            return false;
        }

        foreach (byte c in name)
        {
            if (c <= ' ' || c >= 0x7F || c is (byte)'/' or (byte)'"')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>An ASCII word as a string shared by every line that names it.</summary>
    private string Intern(ReadOnlySpan<byte> word)
    {
        Span<char> chars = stackalloc char[MaxNameLength];
        for (int i = 0; i < word.Length; i++)
        {
            chars[i] = (char)word[i];
        }

        var key = chars[..word.Length];
        if (_lookup.TryGetValue(key, out string? text))
        {
            return text;
        }

        text = new string(key);
        _names.Add(text, text);
        return text;
    }

    /// <summary>The protocol names iptables-save prints for the protocols the shortcut knows, or a number.</summary>
    private static bool TryProtocol(ReadOnlySpan<byte> text, out byte protocol, ref bool canonical)
    {
        if (text.SequenceEqual("tcp"u8))
        {
            protocol = IpProtocol.Tcp;
            return true;
        }

        if (text.SequenceEqual("udp"u8))
        {
            protocol = IpProtocol.Udp;
            return true;
        }

        if (text.SequenceEqual("icmp"u8))
        {
            protocol = IpProtocol.Icmp;
            return true;
        }

        // "all" and numbers are saved otherwise (nothing, or the protocol's name).
        canonical = false;
        if (text.SequenceEqual("all"u8))
        {
            protocol = 0;
            return true;
        }

        bool ok = PlainDecimal.TryParse(text, byte.MaxValue, out ulong number);
        protocol = (byte)number;
        return ok;
    }

    /// <summary>
    /// <c>a.b.c.d</c> or <c>a.b.c.d/len</c>, decimal; masked. <paramref name="rewrite"/> tells that iptables-save
    /// writes it otherwise (<c>masked/len</c>); <paramref name="canonical"/> turns false where it leaves it out.
    /// </summary>
    private static bool TryPrefix(ReadOnlySpan<byte> text, bool invert, out Ipv4Address address, out Ipv4Address mask,
        ref bool canonical, out bool rewrite)
    {
        rewrite = false;
        address = default;
        mask = Ipv4Address.Broadcast;
        int slash = text.IndexOf((byte)'/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Length > 15)
        {
            return false;
        }

        Span<char> chars = stackalloc char[15];
        for (int i = 0; i < addressText.Length; i++)
        {
            chars[i] = (char)addressText[i];
        }

        if (!Ipv4Address.TryParse(chars[..addressText.Length], out address))
        {
            return false;
        }

        if (slash < 0)
        {
            rewrite = true;
        }
        else
        {
            if (!PlainDecimal.TryParse(text[(slash + 1)..], 32, out ulong length))
            {
                return false;
            }

            mask = Ipv4Address.MaskFromPrefix((int)length);
        }

        var masked = address & mask;
        // iptables-save prints the masked address, and nothing at all for 0.0.0.0/0 uninverted.
        rewrite |= masked != address;
        canonical &= !(mask.Value == 0 && !invert);
        address = masked;
        return true;
    }

    /// <summary>
    /// Writes the rule's save form (<see cref="RuleLine.Canonical"/> must hold): the line's text from <c>-A</c>,
    /// with the addresses iptables-save writes otherwise as it writes them. Returns the length written;
    /// <paramref name="destination"/> needs the body's length plus 6.
    /// </summary>
    public static int WriteBody(ReadOnlySpan<byte> line, in RuleLine parsed, Span<byte> destination)
    {
        int written = 0;
        int copied = parsed.BodyStart;
        Replace(line, parsed.SourceText, parsed.Ip.Source, parsed.Ip.SourceMask, destination, ref written, ref copied);
        Replace(line, parsed.DestinationText, parsed.Ip.Destination, parsed.Ip.DestinationMask, destination, ref written, ref copied);
        int end = parsed.BodyStart + parsed.BodyLength;
        line[copied..end].CopyTo(destination[written..]);
        return written + end - copied;
    }

    /// <summary>Copies the line up to an address to rewrite, then the address as iptables-save writes it.</summary>
    private static void Replace(ReadOnlySpan<byte> line, Range range, Ipv4Address address, Ipv4Address mask,
        Span<byte> destination, ref int written, ref int copied)
    {
        if (range.Equals(default(Range)))
        {
            return;
        }

        var (start, length) = range.GetOffsetAndLength(line.Length);
        line[copied..start].CopyTo(destination[written..]);
        written += start - copied;
        written += WriteAddress(destination[written..], address, mask);
        copied = start + length;
    }

    /// <summary><c>a.b.c.d/len</c>, as iptables-save's <c>save_ipv4_addr()</c> writes a prefix.</summary>
    private static int WriteAddress(Span<byte> destination, Ipv4Address address, Ipv4Address mask)
    {
        int written = 0;
        uint value = address.Value;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            ((byte)(value >> shift)).TryFormat(destination[written..], out int digits, default, CultureInfo.InvariantCulture);
            written += digits;
            destination[written++] = shift == 0 ? (byte)'/' : (byte)'.';
        }

        mask.PrefixLength.TryFormat(destination[written..], out int length, default, CultureInfo.InvariantCulture);
        return written + length;
    }

    /// <summary><c>port</c> or <c>lo:hi</c> with lo &lt;= hi, decimal.</summary>
    private static bool TryPortRange(ReadOnlySpan<byte> text, out ushort min, out ushort max, ref bool canonical)
    {
        min = max = 0;
        int colon = text.IndexOf((byte)':');
        if (colon < 0)
        {
            if (!PlainDecimal.TryParse(text, ushort.MaxValue, out ulong port))
            {
                return false;
            }

            min = max = (ushort)port;
            return true;
        }

        if (!PlainDecimal.TryParse(text[..colon], ushort.MaxValue, out ulong low) ||
            !PlainDecimal.TryParse(text[(colon + 1)..], ushort.MaxValue, out ulong high) || low > high)
        {
            return false;
        }

        min = (ushort)low;
        max = (ushort)high;
        canonical &= low != high;
        return true;
    }

    /// <summary>The words of a line, split at blanks; notes whether they are separated by single spaces only.</summary>
    private ref struct Tokens
    {
        private readonly ReadOnlySpan<byte> _line;
        private int _position;
        private bool _first;

        public Tokens(ReadOnlySpan<byte> line, int position)
        {
            _line = line;
            _position = position;
            _first = true;
            Canonical = true;
        }

        /// <summary>Where the last word ended.</summary>
        public readonly int Position => _position;

        /// <summary>False once two words were separated otherwise than by one space.</summary>
        public bool Canonical { get; set; }

        /// <summary>The next unquoted word; false at the end or at a word with a double quote.</summary>
        public bool Next(out ReadOnlySpan<byte> token)
        {
            if (!Skip())
            {
                token = default;
                return false;
            }

            return Word(out token);
        }

        /// <summary>The next word, which may be one double-quoted string without backslashes.</summary>
        public bool NextQuoted(out ReadOnlySpan<byte> token, out bool quoted)
        {
            quoted = false;
            if (!Skip())
            {
                token = default;
                return false;
            }

            if (_line[_position] != (byte)'"')
            {
                return Word(out token);
            }

            int close = _line[(_position + 1)..].IndexOf((byte)'"');
            if (close < 0)
            {
                token = default;
                return false;
            }

            token = _line.Slice(_position + 1, close);
            if (token.IndexOf((byte)'\\') >= 0)
            {
                return false;
            }

            _position += close + 2;
            quoted = true;

            // The closing quote ends the word; a blank or the end of the line must follow.
            return _position == _line.Length || _line[_position] is (byte)' ' or (byte)'\t';
        }

        /// <summary>The word at the current position (after the blanks): up to a blank; false at a double quote.</summary>
        private bool Word(out ReadOnlySpan<byte> token)
        {
            int end = _position;
            while (end < _line.Length && _line[end] is not ((byte)' ' or (byte)'\t' or (byte)'"'))
            {
                end++;
            }

            if (end < _line.Length && _line[end] == (byte)'"')
            {
                token = default;
                return false;
            }

            token = _line[_position..end];
            _position = end;
            return true;
        }

        private bool Skip()
        {
            int start = _position;
            while (_position < _line.Length && _line[_position] is (byte)' ' or (byte)'\t')
            {
                _position++;
            }

            if (_position == _line.Length)
            {
                // Trailing blanks are not in iptables-save's form.
                Canonical &= _position == start;
                return false;
            }

            Canonical &= _first ? _position == start : _position - start == 1 && _line[start] == (byte)' ';
            _first = false;
            return true;
        }
    }
}
