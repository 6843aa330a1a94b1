using System.Buffers.Text;
using System.Text;
using Sekisho.Iptables.Commands;
using Sekisho.Iptables.Output;
using Sekisho.Netfilter.Model;

namespace Sekisho.Iptables.State;

/// <summary>
/// Writes a table's block of the state file as bytes, taking the rules <see cref="RuleTexts"/> holds from their
/// text: what <see cref="SaveCommand.Write"/> writes for the state file, without printing those rules.
/// </summary>
/// <remarks>
/// A recorded text is the rule's save form, which is also its exact form (the parser records no rule whose two
/// forms differ), so such a rule needs no <c>#save</c> line: its line is <c>[packets:bytes] </c> and the text.
/// Every other rule is printed by <see cref="SaveCommand.AppendStateRule"/> as usual.
/// </remarks>
internal sealed class StateTableWriter
{
    private readonly Stream _stream;
    private byte[] _buffer = new byte[1 << 16];
    private int _used;

    private StateTableWriter(Stream stream)
    {
        _stream = stream;
    }

    /// <summary>Writes <paramref name="table"/>'s block to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, Table table, RuleSaver saver, RuleTexts texts)
    {
        var writer = new StateTableWriter(stream);
        var output = new StringBuilder(256);
        var scratch = new StringBuilder(256);
        SaveCommand.AppendHeader(output, table);
        writer.Append(output);
        foreach (var chain in table.Chains)
        {
            var recorded = texts.For(chain.Name);
            foreach (var rule in chain.Rules)
            {
                if (recorded.TryGet(rule, out var text))
                {
                    writer.AppendRule(rule.Counters, text);
                    continue;
                }

                output.Clear();
                SaveCommand.AppendStateRule(output, scratch, saver, rule, chain.Name);
                writer.Append(output);
            }
        }

        writer.Append("COMMIT\n"u8);
        writer.Flush();
    }

    private void AppendRule(CounterCell counters, ReadOnlySpan<byte> text)
    {
        // "[" + two 20-digit numbers + ":" + "] " + text + "\n".
        var line = Reserve(text.Length + 46);
        line[0] = (byte)'[';
        Utf8Formatter.TryFormat(counters.Packets, line[1..], out int written);
        written++;
        line[written++] = (byte)':';
        Utf8Formatter.TryFormat(counters.Bytes, line[written..], out int digits);
        written += digits;
        line[written++] = (byte)']';
        line[written++] = (byte)' ';
        text.CopyTo(line[written..]);
        written += text.Length;
        line[written++] = (byte)'\n';
        _used += written;
    }

    private void Append(StringBuilder text)
    {
        foreach (var chunk in text.GetChunks())
        {
            var span = Reserve(Encoding.UTF8.GetMaxByteCount(chunk.Length));
            _used += Encoding.UTF8.GetBytes(chunk.Span, span);
        }
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Reserve(bytes.Length));
        _used += bytes.Length;
    }

    /// <summary>Room for <paramref name="count"/> bytes at the end of the buffer (writing it out first when full).</summary>
    private Span<byte> Reserve(int count)
    {
        if (_buffer.Length - _used < count)
        {
            Flush();
            if (_buffer.Length < count)
            {
                _buffer = new byte[count];
            }
        }

        return _buffer.AsSpan(_used, count);
    }

    private void Flush()
    {
        _stream.Write(_buffer, 0, _used);
        _used = 0;
    }
}
