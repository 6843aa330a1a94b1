using System.Text;

namespace Sekisho.Iptables.Commands;

/// <summary>Reads input the way C's <c>fgets()</c> does with a fixed buffer.</summary>
/// <remarks>
/// iptables-restore reads with <c>fgets(buffer, 10240, in)</c>: a line longer than 10239 bytes arrives in
/// pieces, each counted as a line. Lines keep their trailing newline, exactly as fgets returns them. The input
/// is read whole first (a 100,000-rule file is a few megabytes) and cut into lines without copying.
/// </remarks>
internal sealed class CLineReader
{
    private readonly byte[] _data;
    private readonly int _length;
    private readonly int _maxLine;
    private int _position;

    public CLineReader(Stream stream, int bufferSize = 10240)
    {
        if (stream is MemoryStream memory && memory.TryGetBuffer(out var segment) && segment.Offset == 0)
        {
            _data = segment.Array!;
            _length = segment.Count;
            _position = (int)memory.Position;
        }
        else
        {
            _data = ReadAll(stream, out _length);
        }

        _maxLine = bufferSize == int.MaxValue ? int.MaxValue : bufferSize - 1;
    }

    /// <summary>The length of the input in bytes.</summary>
    public int Length => _length;

    /// <summary>The input (its first <see cref="Length"/> bytes), which is never changed.</summary>
    public byte[] Data => _data;

    /// <summary>The offset of the next line in <see cref="Data"/>.</summary>
    public int Position => _position;

    /// <summary>The next line including its newline (if any), or null at the end of the input.</summary>
    public string? ReadLine()
    {
        var window = PeekLine();
        if (window.IsEmpty)
        {
            return null;
        }

        _position += window.Length;
        return Encoding.UTF8.GetString(window);
    }

    /// <summary>
    /// The bytes <see cref="ReadLine"/> would return next (empty at the end), without consuming them;
    /// <see cref="Skip"/> consumes them.
    /// </summary>
    public ReadOnlySpan<byte> PeekLine()
    {
        if (_position >= _length)
        {
            return default;
        }

        int available = Math.Min(_length - _position, _maxLine);
        var window = new ReadOnlySpan<byte>(_data, _position, available);
        int newline = window.IndexOf((byte)'\n');
        return newline >= 0 ? window[..(newline + 1)] : window;
    }

    /// <summary>Consumes <paramref name="count"/> bytes: the line <see cref="PeekLine"/> returned.</summary>
    public void Skip(int count) => _position += count;

    /// <summary>Reads a stream to its end into one buffer, which is not cleared first (only the input counts).</summary>
    private static byte[] ReadAll(Stream stream, out int length)
    {
        int size = 1 << 18;
        if (stream.CanSeek && stream.Length - stream.Position is var remaining and >= 0 and < int.MaxValue / 2)
        {
            // One more byte than the file holds, so that reading its end needs no bigger buffer.
            size = (int)remaining + 1;
        }

        byte[] buffer = GC.AllocateUninitializedArray<byte>(size);
        length = 0;
        int read;
        while (true)
        {
            if (length == buffer.Length)
            {
                byte[] bigger = GC.AllocateUninitializedArray<byte>(checked(buffer.Length * 2));
                buffer.AsSpan(0, length).CopyTo(bigger);
                buffer = bigger;
            }

            if ((read = stream.Read(buffer, length, buffer.Length - length)) == 0)
            {
                return buffer;
            }

            length += read;
        }
    }
}
