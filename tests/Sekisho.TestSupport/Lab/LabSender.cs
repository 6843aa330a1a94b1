namespace Sekisho.TestSupport.Lab;

/// <summary>The process a lab host's own datagram comes from: the owner (file system user and group) of its socket.</summary>
/// <param name="Uid">The socket's owning user (what <c>--uid-owner</c> compares).</param>
/// <param name="Gid">The socket's owning group (what <c>--gid-owner</c> compares).</param>
public sealed record LabSender(uint Uid, uint Gid)
{
    /// <summary>A process of root.</summary>
    public static readonly LabSender Root = new(0, 0);
}
