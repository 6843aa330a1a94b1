using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Sekisho.Live.Control;

/// <summary>The process at the other end of a Unix socket, as the kernel vouches for it (<c>SO_PEERCRED</c>).</summary>
/// <param name="Pid">The peer's process id at connect time.</param>
/// <param name="Uid">Its effective user id.</param>
/// <param name="Gid">Its effective group id.</param>
public readonly record struct PeerCredentials(int Pid, uint Uid, uint Gid)
{
    private const int SolSocket = 1;
    private const int SoPeerCred = 17;

    /// <summary>Reads the credentials of a connected Unix socket's peer.</summary>
    public static PeerCredentials Of(Socket socket)
    {
        Span<byte> ucred = stackalloc byte[12];
        int length = socket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        if (length < 12)
        {
            throw new SocketException((int)SocketError.ProtocolOption);
        }

        return new PeerCredentials(
            MemoryMarshal.Read<int>(ucred),
            MemoryMarshal.Read<uint>(ucred[4..]),
            MemoryMarshal.Read<uint>(ucred[8..]));
    }
}
