namespace Sekisho.Packets.Capture;

/// <summary>Why reading a capture stopped before its end: where (byte offset of the damaged record) and what.</summary>
/// <param name="Offset">The byte offset of the record (or header) that could not be read.</param>
/// <param name="Message">What is wrong, in words.</param>
public sealed record CaptureError(long Offset, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"at byte {Offset}: {Message}";
}
