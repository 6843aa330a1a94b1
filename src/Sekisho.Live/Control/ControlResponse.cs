using System.Buffers.Binary;

namespace Sekisho.Live.Control;

/// <summary>A tool's result as the daemon returns it: standard output, standard error, exit status.</summary>
public sealed record ControlResponse(byte[] Stdout, byte[] Stderr, int ExitCode)
{
    /// <summary>Writes the response as a <see cref="ControlProtocol.Result"/> frame.</summary>
    public void WriteTo(Stream stream)
    {
        byte[] payload = new byte[4 + Stdout.Length + 4 + Stderr.Length + 4];
        var span = payload.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)Stdout.Length);
        Stdout.CopyTo(span[4..]);
        span = span[(4 + Stdout.Length)..];
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)Stderr.Length);
        Stderr.CopyTo(span[4..]);
        span = span[(4 + Stderr.Length)..];
        BinaryPrimitives.WriteInt32BigEndian(span, ExitCode);
        ControlProtocol.WriteFrame(stream, ControlProtocol.Result, payload);
    }

    /// <summary>Decodes a <see cref="ControlProtocol.Result"/> frame's payload.</summary>
    public static ControlResponse Parse(ReadOnlySpan<byte> payload)
    {
        byte[] stdout = TakeBytes(ref payload, "standard output");
        byte[] stderr = TakeBytes(ref payload, "standard error");
        if (payload.Length != 4)
        {
            throw new ControlProtocolException("bad response: the exit status is missing or followed by more bytes");
        }

        return new ControlResponse(stdout, stderr, BinaryPrimitives.ReadInt32BigEndian(payload));
    }

    private static byte[] TakeBytes(ref ReadOnlySpan<byte> payload, string what)
    {
        uint length = ControlProtocol.TakeUInt32(ref payload, what);
        if (length > (uint)payload.Length)
        {
            throw new ControlProtocolException($"bad response: {what} claims {length} bytes, only {payload.Length} remain");
        }

        byte[] bytes = payload[..(int)length].ToArray();
        payload = payload[(int)length..];
        return bytes;
    }
}
