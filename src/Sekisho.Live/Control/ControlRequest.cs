using System.Buffers.Binary;

namespace Sekisho.Live.Control;

/// <summary>One request to the daemon: a tool, its arguments, and the client's working directory.</summary>
/// <param name="Tool">iptables, iptables-save, iptables-restore, conntrack, service-status, service-save or service-stop.</param>
/// <param name="Arguments">The arguments, without the program name.</param>
/// <param name="WorkingDirectory">Where relative file names (iptables-restore FILE, iptables-save -f) are resolved.</param>
public sealed record ControlRequest(string Tool, IReadOnlyList<string> Arguments, string WorkingDirectory)
{
    /// <summary>The tools the daemon runs.</summary>
    public static IReadOnlyList<string> Tools { get; } =
        ["iptables", "iptables-save", "iptables-restore", "conntrack", "service-status", "service-save", "service-stop"];

    /// <summary>Writes the request (header and body) to <paramref name="stream"/>.</summary>
    public void WriteTo(Stream stream)
    {
        using var body = new MemoryStream();
        ControlProtocol.AppendString(body, Tool);
        ControlProtocol.WriteUInt32(body, (uint)Arguments.Count);
        foreach (string argument in Arguments)
        {
            ControlProtocol.AppendString(body, argument);
        }

        ControlProtocol.AppendString(body, WorkingDirectory);
        if (body.Length > ControlProtocol.MaxRequestLength)
        {
            throw new ControlProtocolException($"the request is too large ({body.Length} bytes; at most {ControlProtocol.MaxRequestLength})");
        }

        Span<byte> header = stackalloc byte[10];
        BinaryPrimitives.WriteUInt32BigEndian(header, ControlProtocol.Magic);
        BinaryPrimitives.WriteUInt16BigEndian(header[4..], ControlProtocol.Version);
        BinaryPrimitives.WriteUInt32BigEndian(header[6..], (uint)body.Length);
        stream.Write(header);
        stream.Write(body.GetBuffer(), 0, (int)body.Length);
        stream.Flush();
    }

    /// <summary>
    /// Reads a request; null when the connection ends before its first byte (a probe). Anything malformed throws
    /// <see cref="ControlProtocolException"/> with the reason.
    /// </summary>
    public static ControlRequest? ReadFrom(Stream stream)
    {
        Span<byte> header = stackalloc byte[10];
        int first = stream.ReadByte();
        if (first < 0)
        {
            return null;
        }

        header[0] = (byte)first;
        ControlProtocol.ReadExactly(stream, header[1..4], "request header");
        if (BinaryPrimitives.ReadUInt32BigEndian(header) != ControlProtocol.Magic)
        {
            throw new ControlProtocolException("not a Sekisho control request (bad magic)");
        }

        ControlProtocol.ReadExactly(stream, header[4..], "request header");
        ushort version = BinaryPrimitives.ReadUInt16BigEndian(header[4..]);
        if (version != ControlProtocol.Version)
        {
            throw new ControlProtocolException(
                $"protocol version {version} is not supported (this daemon speaks version {ControlProtocol.Version}): use the sekisho that runs the daemon");
        }

        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[6..]);
        if (length > ControlProtocol.MaxRequestLength)
        {
            throw new ControlProtocolException($"bad request: body of {length} bytes (at most {ControlProtocol.MaxRequestLength})");
        }

        byte[] buffer = new byte[length];
        ControlProtocol.ReadExactly(stream, buffer, "request body");
        ReadOnlySpan<byte> body = buffer;
        string tool = ControlProtocol.TakeString(ref body, "tool name");
        uint count = ControlProtocol.TakeUInt32(ref body, "argument count");
        if (count > ControlProtocol.MaxArguments)
        {
            throw new ControlProtocolException($"bad request: {count} arguments (at most {ControlProtocol.MaxArguments})");
        }

        var arguments = new List<string>((int)Math.Min(count, 64));
        for (uint i = 0; i < count; i++)
        {
            arguments.Add(ControlProtocol.TakeString(ref body, "argument"));
        }

        string directory = ControlProtocol.TakeString(ref body, "working directory");
        if (!body.IsEmpty)
        {
            throw new ControlProtocolException($"bad request: {body.Length} bytes after the working directory");
        }

        return new ControlRequest(tool, arguments, directory);
    }
}
