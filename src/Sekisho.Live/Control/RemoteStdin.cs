namespace Sekisho.Live.Control;

/// <summary>
/// The client's standard input, read through the control connection: asked for on the first read (a
/// <see cref="ControlProtocol.StdinWanted"/> frame), then taken chunk by chunk as the tool consumes it.
/// </summary>
/// <remarks>
/// A tool that never reads standard input (iptables, or iptables-restore given a file) never asks, so a client on
/// a terminal is not left waiting for input nobody wants.
/// </remarks>
internal sealed class RemoteStdin : Stream
{
    private readonly Stream _connection;
    private byte[] _chunk = [];
    private int _offset;
    private bool _asked;
    private bool _ended;

    public RemoteStdin(Stream connection)
    {
        _connection = connection;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (_offset == _chunk.Length)
        {
            if (_ended)
            {
                return 0;
            }

            NextChunk();
        }

        int n = Math.Min(buffer.Length, _chunk.Length - _offset);
        _chunk.AsSpan(_offset, n).CopyTo(buffer);
        _offset += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void NextChunk()
    {
        if (!_asked)
        {
            ControlProtocol.WriteFrame(_connection, ControlProtocol.StdinWanted, []);
            _asked = true;
        }

        uint length = ControlProtocol.ReadUInt32(_connection, "standard input chunk");
        if (length > ControlProtocol.MaxChunkLength)
        {
            throw new ControlProtocolException($"standard input chunk of {length} bytes (at most {ControlProtocol.MaxChunkLength})");
        }

        if (length == 0)
        {
            _ended = true;
            _chunk = [];
            _offset = 0;
            return;
        }

        if (_chunk.Length != length)
        {
            _chunk = new byte[length];
        }

        ControlProtocol.ReadExactly(_connection, _chunk, "standard input chunk");
        _offset = 0;
    }
}
