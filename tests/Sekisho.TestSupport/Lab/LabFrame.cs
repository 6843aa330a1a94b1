namespace Sekisho.TestSupport.Lab;

/// <summary>A frame the lab host sent through one of its interfaces.</summary>
public sealed record LabFrame(string Interface, byte[] Bytes)
{
    /// <inheritdoc />
    public override string ToString() => $"{Interface}: {Convert.ToHexString(Bytes)}";
}
