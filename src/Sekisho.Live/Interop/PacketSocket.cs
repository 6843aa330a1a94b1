using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Sekisho.Live.Interop;

/// <summary>
/// An <c>AF_PACKET</c> raw socket bound to one interface: every frame the interface receives (<c>ETH_P_ALL</c>), read
/// in batches with <c>recvmmsg</c>, and frames written straight to the interface.
/// </summary>
/// <remarks>
/// <para>
/// <c>PACKET_IGNORE_OUTGOING</c> keeps the frames this socket (or anyone) sends from being read back as input;
/// <c>PACKET_VNET_HDR</c> puts a <c>virtio_net_hdr</c> in front of every frame read and written: it tells which
/// received frames are GSO/GRO super-frames (several TCP segments as one, as veth and GRO deliver them) and which carry
/// an unfinished transport checksum (<c>VIRTIO_NET_HDR_F_NEEDS_CSUM</c>: checksum offload passed along), and it lets
/// a super-frame leave whole, for the kernel to segment; <c>PACKET_MR_ALLMULTI</c> lets multicast frames in
/// without making the interface promiscuous.
/// </para>
/// <para>
/// The batch's buffers are native memory allocated once: reading allocates nothing. A slot holds 64 KiB, so that a
/// frame coalesced by GRO is never cut short (a cut frame is dropped).
/// </para>
/// </remarks>
internal sealed unsafe class PacketSocket : IDisposable
{
    /// <summary>Frames read per batch.</summary>
    public const int BatchSize = 64;

    private const int SlotSize = 65536;
    private const ushort EthPAll = 0x0003;
    private const int PacketAddMembership = 1;
    private const int PacketMrAllMulti = 2;
    private const int PacketVnetHdr = 15;
    private const int PacketIgnoreOutgoing = 23;
    private const int MsgTrunc = 0x20;
    private const int VnetHeader = VirtioNetHeader.Size;

    private readonly byte* _slots;
    private readonly Libc.IoVec* _vectors;
    private readonly Libc.MMsgHdr* _messages;

    private PacketSocket(int fd, int index, string name)
    {
        Fd = fd;
        InterfaceIndex = index;
        Name = name;
        _slots = (byte*)NativeMemory.AlignedAlloc((nuint)SlotSize * BatchSize, 64);
        _vectors = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(sizeof(Libc.IoVec) * BatchSize));
        _messages = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(sizeof(Libc.MMsgHdr) * BatchSize));
        for (int i = 0; i < BatchSize; i++)
        {
            _vectors[i].Base = _slots + ((nint)i * SlotSize);
            _vectors[i].Length = SlotSize;
            _messages[i].Header.Iov = &_vectors[i];
            _messages[i].Header.IovLength = 1;
        }
    }

    /// <summary>The descriptor.</summary>
    public int Fd { get; private set; }

    /// <summary>The interface's index (in the namespace the socket was opened in).</summary>
    public int InterfaceIndex { get; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }

    /// <summary>Opens a socket on <paramref name="name"/> in the calling thread's network namespace.</summary>
    public static PacketSocket Open(string name)
    {
        int index = (int)Libc.if_nametoindex(name);
        if (index == 0)
        {
            throw new IOException($"no interface {name}: errno {Libc.Errno}");
        }

        ushort protocol = BinaryPrimitives.ReverseEndianness(EthPAll);
        int fd = Libc.socket(Libc.AfPacket, Libc.SockRaw | Libc.SockNonBlock | Libc.SockCloExec, protocol);
        if (fd < 0)
        {
            throw new IOException($"cannot open a packet socket: errno {Libc.Errno}");
        }

        try
        {
            int one = 1;
            Check(Libc.setsockopt(fd, Libc.SolPacket, PacketIgnoreOutgoing, &one, sizeof(int)), "PACKET_IGNORE_OUTGOING");
            Check(Libc.setsockopt(fd, Libc.SolPacket, PacketVnetHdr, &one, sizeof(int)), "PACKET_VNET_HDR");
            int size = 4 << 20;
            Libc.setsockopt(fd, Libc.SolSocket, Libc.SoRcvBuf, &size, sizeof(int));
            Libc.setsockopt(fd, Libc.SolSocket, Libc.SoSndBuf, &size, sizeof(int));

            byte* address = stackalloc byte[20];
            new Span<byte>(address, 20).Clear();
            *(ushort*)address = Libc.AfPacket;
            *(ushort*)(address + 2) = protocol;
            *(int*)(address + 4) = index;
            Check(Libc.bind(fd, address, 20), $"bind to {name}");

            byte* membership = stackalloc byte[16];
            new Span<byte>(membership, 16).Clear();
            *(int*)membership = index;
            *(ushort*)(membership + 4) = PacketMrAllMulti;
            Check(Libc.setsockopt(fd, Libc.SolPacket, PacketAddMembership, membership, 16), "PACKET_MR_ALLMULTI");
        }
        catch
        {
            Libc.close(fd);
            throw;
        }

        return new PacketSocket(fd, index, name);
    }

    /// <summary>Reads up to <see cref="BatchSize"/> waiting frames; how many (0 when none).</summary>
    public int Receive()
    {
        for (int i = 0; i < BatchSize; i++)
        {
            _messages[i].Header.Flags = 0;
            _messages[i].Length = 0;
        }

        while (true)
        {
            int n = Libc.recvmmsg(Fd, _messages, BatchSize, Libc.MsgDontWait, null);
            if (n >= 0)
            {
                return n;
            }

            if (Libc.Errno != Libc.EIntr)
            {
                return 0;
            }
        }
    }

    /// <summary>Reads and clears a pending socket error (the interface went down), so that poll stops reporting it.</summary>
    public void ClearError()
    {
        int error = 0;
        int length = sizeof(int);
        Libc.getsockopt(Fd, Libc.SolSocket, Libc.SoError, &error, &length);
    }

    /// <summary>The <paramref name="slot"/>th frame of the last batch; empty when it was cut short.</summary>
    public Span<byte> Frame(int slot)
    {
        var message = _messages[slot];
        if ((message.Header.Flags & MsgTrunc) != 0 || message.Length < VnetHeader)
        {
            return [];
        }

        return new Span<byte>(_slots + ((nint)slot * SlotSize) + VnetHeader, (int)message.Length - VnetHeader);
    }

    /// <summary>The <c>virtio_net_hdr</c> the kernel put in front of the <paramref name="slot"/>th frame.</summary>
    public Span<byte> Header(int slot) => new(_slots + ((nint)slot * SlotSize), VnetHeader);

    /// <inheritdoc />
    public void Dispose()
    {
        if (Fd >= 0)
        {
            Libc.close(Fd);
            Fd = -1;
            NativeMemory.AlignedFree(_slots);
            NativeMemory.Free(_vectors);
            NativeMemory.Free(_messages);
        }
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
        {
            throw new IOException($"{what} failed: errno {Libc.Errno}");
        }
    }
}
