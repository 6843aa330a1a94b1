using System.Text;

namespace Sekisho.Iptables.Commands;

/// <summary>Reads a byte stream the way C's <c>fgets()</c> does with a fixed buffer.</summary>
/// <remarks>
/// iptables-restore reads with <c>fgets(buffer, 10240, in)</c>: a line longer than 10239 bytes arrives in
/// pieces, each counted as a line. Lines keep their trailing newline, exactly as fgets returns them.
/// </remarks>
internal sealed class CLineReader
{
    private readonly Stream _stream;
    private readonly int _bufferSize;
    private readonly byte[] _chunk = new byte[65536];
    private int _chunkLength;
    private int _chunkPosition;

    public CLineReader(Stream stream, int bufferSize = 10240)
    {
        _stream = stream;
        _bufferSize = bufferSize;
    }

    /// <summary>The next line including its newline (if any), or null at the end of the input.</summary>
    public string? ReadLine()
    {
        var line = new List<byte>(128);
        while (line.Count < _bufferSize - 1)
        {
            if (_chunkPosition == _chunkLength)
            {
                _chunkLength = _stream.Read(_chunk, 0, _chunk.Length);
                _chunkPosition = 0;
                if (_chunkLength == 0)
                {
                    break;
                }
            }

            int available = _chunkLength - _chunkPosition;
            int room = _bufferSize - 1 - line.Count;
            int take = Math.Min(available, room);
            int newline = Array.IndexOf(_chunk, (byte)'\n', _chunkPosition, take);
            if (newline >= 0)
            {
                line.AddRange(new ArraySegment<byte>(_chunk, _chunkPosition, newline - _chunkPosition + 1));
                _chunkPosition = newline + 1;
                return Encoding.UTF8.GetString(line.ToArray());
            }

            line.AddRange(new ArraySegment<byte>(_chunk, _chunkPosition, take));
            _chunkPosition += take;
        }

        return line.Count == 0 ? null : Encoding.UTF8.GetString(line.ToArray());
    }
}
