using System.Buffers.Binary;
using Sekisho.Live.Interop;
using Sekisho.Netfilter.Engine;
using Sekisho.Packets;

namespace Sekisho.Live.DataPlane;

/// <summary>
/// The daemon's packet loop: frames from the real interfaces go through the engine's input path, what it delivers
/// locally goes to the host through the TAP twins; frames the host writes on the TAPs go through OUTPUT and
/// POSTROUTING out of the real interfaces; the engine's forwarded and generated frames leave on the real interfaces.
/// </summary>
/// <remarks>
/// <para>
/// One engine thread polls every descriptor, reads a batch from each ready one (<c>recvmmsg</c> on the packet
/// sockets, up to <see cref="PacketSocket.BatchSize"/> reads on a TAP) and runs the batch through the engine holding
/// <see cref="LiveFirewall.Gate"/>, so that a ruleset change falls between two batches. What the engine sends is
/// copied into the link's <see cref="FrameRing"/>s and written in batches by <see cref="FrameWriter"/>s:
/// <c>sendmmsg</c> to the packet sockets, one write per frame to the TAPs; on a machine with cores to spare the
/// writers have threads of their own (one per core beyond two, at most one per link), else the engine writes after
/// each batch. Each ring has one producer and one consumer at a time, so the frames of a flow leave in the order the
/// engine sent them.
/// Nothing is allocated per packet: the engine's packets come from its pool, the rings and buffers are allocated once.
/// </para>
/// <para>
/// Link layer: ARP and every other non-IPv4 frame passes untouched in both directions (iptables does not see
/// them); the sender of each ARP frame from the wire is learnt as a neighbour, as is the destination MAC the host
/// chose for each IPv4 frame it sends (its own ARP resolution), so the engine's forwarded and generated frames are
/// addressed as the kernel would address them. A frame to a neighbour not known yet waits (<see cref="PendingFrames"/>)
/// while an ARP request asks for it (at most once a second per address).
/// </para>
/// </remarks>
internal sealed class LiveDataPlane : IPacketTransmitter, ILocalDelivery, IDisposable
{
    private readonly LiveFirewall _firewall;
    private readonly NetNamespace _net;
    private readonly Link[] _links;
    private readonly Link?[] _byIndex;
    private readonly byte[] _tapBuffer = new byte[VirtioNetHeader.Size + 14 + 65536];
    private readonly byte[] _arp = new byte[60];
    private readonly Dictionary<Ipv4Address, long> _arpSent = [];
    private readonly PendingFrames _pending = new();
    private readonly FrameWriter[] _writers;
    private readonly int _wake;
    private volatile bool _stop;
    private long _engineAllocated;

    /// <summary>Creates the loop over <paramref name="links"/> and attaches it to the firewall's engine.</summary>
    public LiveDataPlane(LiveFirewall firewall, IReadOnlyList<Link> links)
    {
        _firewall = firewall;
        _net = firewall.Net;
        _links = [.. links];
        int max = 0;
        foreach (var link in links)
        {
            max = Math.Max(max, link.Device.Index);
        }

        _byIndex = new Link?[max + 1];
        foreach (var link in links)
        {
            _byIndex[link.Device.Index] = link;
        }

        _writers = CreateWriters(_links);
        _wake = Libc.eventfd(0, Libc.ONonBlock | Libc.OCloExec);
        if (_wake < 0)
        {
            throw new IOException($"eventfd failed: errno {Libc.Errno}");
        }

        _net.Transmitter = this;
        _net.LocalDelivery = this;
        firewall.DataPlane = this;
    }

    /// <summary>The threads of the data plane: the engine's and the writers.</summary>
    public int Threads => 1 + _writers.Count(w => w.HasThread);

    /// <summary>Frames passed from the wire to the host untouched (ARP, IPv6, ...).</summary>
    public long PassedToHost { get; private set; }

    /// <summary>Frames passed from the host to the wire untouched.</summary>
    public long PassedToWire { get; private set; }

    /// <summary>
    /// Bytes the data plane's threads (the engine's and the writers') allocated on the managed heap since they started;
    /// updated after every batch, so it can be read while the plane runs.
    /// </summary>
    public long AllocatedBytes
    {
        get
        {
            long total = Volatile.Read(ref _engineAllocated);
            foreach (var writer in _writers)
            {
                total += writer.AllocatedBytes;
            }

            return total;
        }
    }

    /// <summary>Frames the kernel refused on the way out (dropped by the writers).</summary>
    public long DroppedOnOutput
    {
        get
        {
            long total = 0;
            foreach (var writer in _writers)
            {
                total += writer.Dropped;
            }

            return total;
        }
    }

    /// <summary>Runs until <see cref="RequestStop"/>, then lets the writers send what is queued.</summary>
    public void Run()
    {
        foreach (var writer in _writers)
        {
            writer.Start();
        }

        try
        {
            Loop();
        }
        finally
        {
            foreach (var writer in _writers)
            {
                writer.Stop();
            }
        }
    }

    // The writers: with SEKISHO_WRITERS=N, N threads (0: the engine sends itself); by default one per core beyond
    // two (the engine's, and one for the kernel's own work on the traffic: softirqs, the peers' stacks), at most one
    // per link, and none on a machine of one or two cores, where measured the hand-over cost more than it saved.
    // A link's two rings share a writer.
    private static FrameWriter[] CreateWriters(Link[] links)
    {
        int threads = int.TryParse(Environment.GetEnvironmentVariable("SEKISHO_WRITERS"), out int wanted) && wanted >= 0
            ? wanted
            : Environment.ProcessorCount - 2;
        threads = Math.Min(threads, links.Length);
        int count = Math.Max(threads, 1);
        var writers = new FrameWriter[count];
        for (int w = 0; w < count; w++)
        {
            var outlets = new List<(FrameRing, int, bool)>();
            for (int i = w; i < links.Length; i += count)
            {
                outlets.Add((links[i].ToWireQueue, links[i].Wire.Fd, true));
                outlets.Add((links[i].ToHostQueue, links[i].Tap.Fd, false));
            }

            writers[w] = new FrameWriter(threads > 0 ? $"sekisho-writer{w}" : null, outlets);
        }

        return writers;
    }

    private unsafe void Loop()
    {
        long start = GC.GetAllocatedBytesForCurrentThread();
        int count = (_links.Length * 2) + 1;
        var fds = stackalloc Libc.PollFd[count];
        for (int i = 0; i < _links.Length; i++)
        {
            fds[2 * i] = new Libc.PollFd { Fd = _links[i].Wire.Fd, Events = Libc.PollIn };
            fds[(2 * i) + 1] = new Libc.PollFd { Fd = _links[i].Tap.Fd, Events = Libc.PollIn };
        }

        fds[count - 1] = new Libc.PollFd { Fd = _wake, Events = Libc.PollIn };
        while (!_stop)
        {
            int ready = Libc.poll(fds, (nuint)count, 1000);
            if (ready <= 0)
            {
                continue;
            }

            for (int i = 0; i < _links.Length; i++)
            {
                if (fds[2 * i].Revents != 0)
                {
                    FromWire(_links[i]);
                }

                if (fds[(2 * i) + 1].Revents != 0)
                {
                    FromHost(_links[i]);
                }
            }

            foreach (var writer in _writers)
            {
                writer.Flush();
            }

            Volatile.Write(ref _engineAllocated, GC.GetAllocatedBytesForCurrentThread() - start);
        }
    }

    /// <summary>Makes <see cref="Run"/> return (from any thread, a signal handler included).</summary>
    public unsafe void RequestStop()
    {
        _stop = true;
        ulong one = 1;
        Libc.write(_wake, (byte*)&one, sizeof(ulong));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _net.Transmitter = null;
        _net.LocalDelivery = null;
        _firewall.DataPlane = null;
        foreach (var writer in _writers)
        {
            writer.Dispose();
        }

        foreach (var link in _links)
        {
            link.Dispose();
        }

        Libc.close(_wake);
    }

    private void FromWire(Link link)
    {
        var wire = link.Wire;
        int n = wire.Receive();
        if (n == 0)
        {
            wire.ClearError();
            return;
        }

        lock (_firewall.Gate)
        {
            for (int i = 0; i < n; i++)
            {
                var frame = wire.Frame(i);
                if (frame.Length < 14)
                {
                    continue;
                }

                if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
                {
                    if (ArpFrames.TryReadSender(frame, out var address, out var mac))
                    {
                        Learn(address, mac);
                    }

                    link.ToHostQueue.Put(wire.Header(i), frame);
                    PassedToHost++;
                    continue;
                }

                var header = wire.Header(i);
                if (VirtioNetHeader.ChecksumNotReady(header))
                {
                    TransportChecksum.Complete(frame);
                }

                var (gsoType, gsoSize) = VirtioNetHeader.Segmentation(header);
                var packet = _net.Pool.Rent();
                packet.LoadFrame(frame, 14);
                packet.InDevice = link.Device;
                packet.Timestamp = _net.Now;
                packet.GsoType = gsoType;
                packet.GsoSize = gsoType == 0 ? 0 : gsoSize;
                _net.Receive(packet, owned: true);
            }
        }

        _firewall.CountPackets(n);
    }

    private void FromHost(Link link)
    {
        int seen = 0;
        lock (_firewall.Gate)
        {
            for (; seen < PacketSocket.BatchSize; seen++)
            {
                int length = link.Tap.Read(_tapBuffer);
                if (length <= VirtioNetHeader.Size)
                {
                    break;
                }

                var header = _tapBuffer.AsSpan(0, VirtioNetHeader.Size);
                var frame = _tapBuffer.AsSpan(VirtioNetHeader.Size, length - VirtioNetHeader.Size);
                if (frame.Length < 14 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800)
                {
                    link.ToWireQueue.Put(header, frame);
                    PassedToWire++;
                    continue;
                }

                if (VirtioNetHeader.ChecksumNotReady(header))
                {
                    TransportChecksum.Complete(frame);
                }

                var (gsoType, gsoSize) = VirtioNetHeader.Segmentation(header);
                SendFromHost(link, frame, gsoType, gsoSize);
            }
        }

        _firewall.CountPackets(seen);
    }

    // A datagram of the host's: the destination MAC it chose tells the neighbour of its next hop; then ip_local_out.
    private void SendFromHost(Link link, ReadOnlySpan<byte> frame, byte gsoType, int gsoSize)
    {
        var ip = frame[14..];
        if (ip.Length < Ipv4Header.MinimumLength || (ip[0] >> 4) != 4)
        {
            return;
        }

        var destinationMac = MacAddress.Read(frame);
        if (!destinationMac.IsMulticast)
        {
            var route = _net.Host.RouteOutput(Ipv4Address.Read(ip[16..]));
            if (route.Device == link.Device)
            {
                Learn(route.NextHop, destinationMac);
            }
        }

        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var packet = _net.Pool.Rent();
        packet.LoadFrame(frame[..(14 + (total >= Ipv4Header.MinimumLength && total <= ip.Length ? total : ip.Length))], 14);
        packet.Origin = PacketOrigin.Local;
        if (destinationMac.IsMulticast)
        {
            // The host chose this interface for a multicast or broadcast datagram (IP_MULTICAST_IF, SO_BINDTODEVICE).
            packet.OutputInterface = link.Device;
        }

        packet.GsoType = gsoType;
        packet.GsoSize = gsoType == 0 ? 0 : gsoSize;
        _net.Send(packet);
        _net.Conntrack.Release(packet);
        _net.Pool.Return(packet);
    }

    private void Learn(Ipv4Address address, MacAddress mac)
    {
        var host = _net.Host;
        if (address.Value != 0 && (!host.TryGetNeighbour(address, out var known) || known != mac))
        {
            host.AddNeighbour(address, mac);
            _pending.Resolved(address, mac);
        }
    }

    /// <inheritdoc />
    public void Deliver(Packet packet)
    {
        var device = packet.InDevice;
        if (device is null || device.Index >= _byIndex.Length || _byIndex[device.Index] is not { } link)
        {
            return;
        }

        if (packet.MacHeader.Length == 14)
        {
            link.ToHostQueue.Put(packet.Frame(packet.MacHeader), packet.GsoType, packet.GsoSize);
        }
        else
        {
            Span<byte> header = stackalloc byte[14];
            device.HardwareAddress.Write(header);
            header[6..12].Clear();
            header[12] = 0x08;
            header[13] = 0x00;
            link.ToHostQueue.Put(packet.Frame(header), packet.GsoType, packet.GsoSize);
        }

        link.ToHost++;
    }

    /// <inheritdoc />
    public void Transmit(NetDevice device, Packet packet, ReadOnlySpan<byte> frame)
    {
        if (device.Index >= _byIndex.Length || _byIndex[device.Index] is not { } link)
        {
            return;
        }

        if (frame.Length >= 14 && MacAddress.Read(frame).Value == 0)
        {
            _pending.Add(link, packet.NextHop, frame, packet.GsoType, packet.GsoSize);
            Resolve(link, packet.NextHop);
            return;
        }

        link.ToWireQueue.Put(frame, packet.GsoType, packet.GsoSize);
        link.ToWire++;
    }

    // The neighbour is unknown: ask for it; the frame waits in the queue for the answer.
    private void Resolve(Link link, Ipv4Address nextHop)
    {
        long now = Environment.TickCount64;
        if (_arpSent.TryGetValue(nextHop, out long last) && now - last < 1000)
        {
            return;
        }

        _arpSent[nextHop] = now;
        var source = _net.Host.SelectSource(link.Device, nextHop);
        ArpFrames.WriteRequest(_arp, link.Device.HardwareAddress, source, nextHop);
        link.ToWireQueue.Put(_arp);
    }
}
