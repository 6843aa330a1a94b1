using System.Buffers.Binary;
using System.Text;

namespace Sekisho.Live.Control;

/// <summary>The control socket's wire format, version 1 (see DESIGN.md, "The control protocol").</summary>
/// <remarks>
/// <para>All integers are big-endian; a string is a u32 byte count and that many UTF-8 bytes.</para>
/// <para>Client to daemon, once: the request — u32 magic <c>SKCP</c>, u16 version, u32 length of the body, then the
/// body: the tool name, u32 argument count, the arguments, the client's working directory. After a
/// <see cref="StdinWanted"/> frame, standard input follows as chunks (u32 length and bytes, at most
/// <see cref="MaxChunkLength"/>), ended by a chunk of length 0.</para>
/// <para>Daemon to client: frames of u8 kind, u32 length and payload — <see cref="StdinWanted"/> (empty),
/// then exactly one of <see cref="Result"/> (stdout, stderr, i32 exit status), <see cref="Denied"/> (the peer is
/// not root) or <see cref="Failure"/> (a UTF-8 message: the request was not understood). The daemon closes the
/// connection after it.</para>
/// </remarks>
public static class ControlProtocol
{
    /// <summary>The first four bytes of a request: "SKCP".</summary>
    public const uint Magic = 0x534B4350;

    /// <summary>The protocol version this build speaks.</summary>
    public const ushort Version = 1;

    /// <summary>The largest request body accepted (arguments and working directory).</summary>
    public const int MaxRequestLength = 1 << 20;

    /// <summary>The largest chunk of standard input.</summary>
    public const int MaxChunkLength = 1 << 20;

    /// <summary>The most arguments a request may carry.</summary>
    public const int MaxArguments = 65536;

    /// <summary>Daemon to client: send standard input now.</summary>
    public const byte StdinWanted = (byte)'I';

    /// <summary>Daemon to client: the tool's output and exit status.</summary>
    public const byte Result = (byte)'R';

    /// <summary>Daemon to client: the peer may not use the daemon (not root).</summary>
    public const byte Denied = (byte)'D';

    /// <summary>Daemon to client: the request was refused; the payload says why.</summary>
    public const byte Failure = (byte)'X';

    /// <summary>Reads exactly <paramref name="buffer"/>'s length; a short read is a truncated message.</summary>
    internal static void ReadExactly(Stream stream, Span<byte> buffer, string what)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = stream.Read(buffer[done..]);
            if (n == 0)
            {
                throw new ControlProtocolException($"truncated {what}: the connection ended after {done} of {buffer.Length} bytes");
            }

            done += n;
        }
    }

    /// <summary>Reads a big-endian u32.</summary>
    internal static uint ReadUInt32(Stream stream, string what)
    {
        Span<byte> bytes = stackalloc byte[4];
        ReadExactly(stream, bytes, what);
        return BinaryPrimitives.ReadUInt32BigEndian(bytes);
    }

    /// <summary>Writes a big-endian u32.</summary>
    internal static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        stream.Write(bytes);
    }

    /// <summary>Writes a frame of <paramref name="kind"/> with <paramref name="payload"/>.</summary>
    internal static void WriteFrame(Stream stream, byte kind, ReadOnlySpan<byte> payload)
    {
        Span<byte> header = stackalloc byte[5];
        header[0] = kind;
        BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)payload.Length);
        stream.Write(header);
        stream.Write(payload);
        stream.Flush();
    }

    /// <summary>Writes a <see cref="Failure"/> frame with a message.</summary>
    internal static void WriteFailure(Stream stream, string message) =>
        WriteFrame(stream, Failure, Encoding.UTF8.GetBytes(message));

    /// <summary>Appends a length-prefixed UTF-8 string.</summary>
    internal static void AppendString(MemoryStream body, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt32(body, (uint)bytes.Length);
        body.Write(bytes);
    }

    /// <summary>Reads a length-prefixed UTF-8 string from a request body.</summary>
    internal static string TakeString(ref ReadOnlySpan<byte> body, string what)
    {
        uint length = TakeUInt32(ref body, what);
        if (length > (uint)body.Length)
        {
            throw new ControlProtocolException($"malformed message: the {what} claims {length} bytes, only {body.Length} remain");
        }

        string value;
        try
        {
            value = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body[..(int)length]);
        }
        catch (DecoderFallbackException)
        {
            throw new ControlProtocolException($"malformed message: the {what} is not UTF-8");
        }

        body = body[(int)length..];
        return value;
    }

    /// <summary>Reads a big-endian u32 from a request body.</summary>
    internal static uint TakeUInt32(ref ReadOnlySpan<byte> body, string what)
    {
        if (body.Length < 4)
        {
            throw new ControlProtocolException($"malformed message: it ends before the {what}");
        }

        uint value = BinaryPrimitives.ReadUInt32BigEndian(body);
        body = body[4..];
        return value;
    }
}
