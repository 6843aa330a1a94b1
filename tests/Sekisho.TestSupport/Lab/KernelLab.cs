using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>The kernel as a lab host: a private network namespace whose interfaces are TAP devices this process holds.</summary>
/// <remarks>
/// Frames written to a TAP device are processed by the kernel inside the <c>write</c> call. To know that a
/// frame and everything it caused are done without waiting for time to pass, each injection is followed by an
/// ARP probe for the interface's address: the kernel answers it after the frames before it, so once the answer
/// is read every frame the injected one caused is read too. LOG lines are read from <c>/dev/kmsg</c>
/// (<c>nf_log_all_netns</c> is turned on), which is shared by the whole machine: tests that compare them run in
/// <c>KernelLogCollection</c>, alone.
/// </remarks>
public sealed class KernelLab : IPacketLab
{
    private static readonly MacAddress s_probeMac = MacAddress.Parse("02:00:00:00:ba:11");

    private readonly KernelNamespace _namespace = null!;
    private readonly NamespaceThread _thread = null!;
    private readonly Dictionary<string, TapDevice> _taps = [];
    private readonly List<System.Net.Sockets.Socket> _memberships = [];
    private readonly List<LabFrame> _frames = [];
    private readonly KernelMessages _messages = null!;
    private readonly int _labLock;

    // Kernel messages read while many frames are injected, before the ring buffer can overwrite them.
    private readonly List<(int Level, string Message)> _pendingLog = [];

    /// <summary>Builds the host in a new namespace and loads <paramref name="rules"/> (iptables-restore input) when given.</summary>
    public KernelLab(LabHost host, string? rules = null)
    {
        KernelEnvironment.EnsureAvailable();
        Host = host;

        // The kernel log is one for the whole machine: labs of every test process take turns.
        _labLock = Native.open("/run/sekisho-kernel-lab.lock", Native.ReadWrite | Native.Create, 0x180);
        if (_labLock < 0)
        {
            throw new InvalidOperationException("cannot open /run/sekisho-kernel-lab.lock");
        }

        while (Native.flock(_labLock, Native.LockExclusive) != 0)
        {
            if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != Native.EIntr)
            {
                Native.close(_labLock);
                throw new InvalidOperationException("cannot lock /run/sekisho-kernel-lab.lock");
            }
        }

        try
        {
            _namespace = new KernelNamespace();
            _thread = new NamespaceThread(_namespace.Name);
            _messages = new KernelMessages();
            Build(host, rules);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    private void Build(LabHost host, string? rules)
    {
        File.WriteAllText("/proc/sys/net/netfilter/nf_log_all_netns", "1");
        _thread.Invoke(PinToOneCpu);
        Sysctl("net.ipv6.conf.all.disable_ipv6", "1");
        Sysctl("net.ipv6.conf.default.disable_ipv6", "1");
        Sysctl("net.ipv4.ip_forward", host.Forwarding ? "1" : "0");
        Sysctl("net.ipv4.icmp_echo_ignore_broadcasts", host.AnswerBroadcastEcho ? "0" : "1");

        // No IGMP reports for link-local groups: the kernel would send them on timers, in the middle of a comparison.
        Sysctl("net.ipv4.igmp_link_local_mcast_reports", "0");
        Ip("link", "set", "lo", "up");
        foreach (var iface in host.Interfaces)
        {
            var tap = _thread.Invoke(() => TapDevice.Create(iface.Name));
            _taps.Add(iface.Name, tap);
            Ip("link", "set", iface.Name, "address", iface.Mac.ToString());
            Ip("addr", "add", $"{iface.Address}/{iface.PrefixLength}", "dev", iface.Name);
            Ip("link", "set", iface.Name, "up");
        }

        foreach (var (address, mac, name) in host.Neighbours)
        {
            Ip("neigh", "replace", address.ToString(), "lladdr", mac.ToString(), "dev", name, "nud", "permanent");
        }

        foreach (var (destination, prefix, gateway, name) in host.Routes)
        {
            Ip("route", "add", prefix == 0 ? "default" : $"{destination}/{prefix}", "via", gateway.ToString(), "dev", name);
        }

        foreach (var (group, name) in host.MulticastGroups)
        {
            _memberships.Add(HostSocket.Join(_thread, group, host.Interface(name).Address));
        }

        foreach (var iface in host.Interfaces)
        {
            Barrier(iface.Name);
        }

        _frames.Clear();
        if (rules is not null)
        {
            var result = Tool("iptables-restore", rules.EndsWith('\n') ? rules : rules + "\n");
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"kernel refused the ruleset: {result.Stderr}");
            }
        }

        _messages.ReadNew();
    }

    /// <inheritdoc />
    public string Name => "kernel";

    /// <inheritdoc />
    public LabHost Host { get; }

    /// <summary>The namespace's name.</summary>
    public string NamespaceName => _namespace.Name;

    /// <inheritdoc />
    public void Inject(string interfaceName, byte[] frame)
    {
        _thread.Invoke(() =>
        {
            _taps[interfaceName].Write(frame);
            return 0;
        });
        foreach (var iface in Host.Interfaces)
        {
            Barrier(iface.Name);
        }
    }

    /// <inheritdoc />
    public void Send(byte[] datagram, LabSender sender)
    {
        HostSocket.SendRaw(_thread, datagram, sender);
        WaitForOutput();
    }

    /// <inheritdoc />
    public void SendUdp(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, byte[] payload, LabSender sender)
    {
        HostSocket.SendUdp(_thread, source, sourcePort, destination, destinationPort, payload, sender);
        WaitForOutput();
    }

    // Everything a datagram the host sent caused (looped back through lo included) is queued on the CPU the
    // namespace thread is pinned to before the probes that follow.
    private void WaitForOutput()
    {
        foreach (var iface in Host.Interfaces)
        {
            Barrier(iface.Name);
        }
    }

    /// <summary>
    /// Injects many frames and waits once at the end (one ARP probe per interface), reading what the kernel sends
    /// in between so that no queue overflows.
    /// </summary>
    public void InjectMany(IEnumerable<(string Interface, byte[] Frame)> frames)
    {
        const int batchSize = 32;
        var batch = new List<(TapDevice Tap, byte[] Frame)>(batchSize);
        foreach (var (name, frame) in frames)
        {
            batch.Add((_taps[name], frame));
            if (batch.Count == batchSize)
            {
                WriteBatch(batch);
            }
        }

        WriteBatch(batch);
        foreach (var iface in Host.Interfaces)
        {
            Barrier(iface.Name);
        }
    }

    /// <inheritdoc />
    public List<LabFrame> TakeFrames()
    {
        var frames = new List<LabFrame>(_frames);
        _frames.Clear();
        return frames;
    }

    /// <inheritdoc />
    public List<(int Level, string Message)> TakeLog()
    {
        _pendingLog.AddRange(_messages.ReadNew());
        var lines = _pendingLog.Where(r => r.Message.Contains(" OUT=", StringComparison.Ordinal)
            && r.Message.Contains("IN=", StringComparison.Ordinal)).ToList();
        _pendingLog.Clear();
        return lines;
    }

    /// <inheritdoc />
    public ToolResult Tool(string commandLine, string? stdin = null) => _namespace.RunIptables(commandLine, stdin);

    /// <inheritdoc />
    public string Conntrack() => _namespace.Run(["conntrack", "-L"]).Stdout;

    /// <summary>Runs a command inside the namespace.</summary>
    public ToolResult Run(params string[] command) => _namespace.Run(command);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var tap in _taps.Values)
        {
            tap.Dispose();
        }

        _taps.Clear();
        foreach (var socket in _memberships)
        {
            socket.Dispose();
        }

        _thread?.Dispose();
        _messages?.Dispose();
        _namespace?.Dispose();
        Native.close(_labLock);
    }

    private static int PinToOneCpu()
    {
        ulong mask = 1;
        unsafe
        {
            Native.sched_setaffinity(0, sizeof(ulong), &mask);
        }

        return 0;
    }

    private void Sysctl(string name, string value)
    {
        var result = _namespace.Run(["sysctl", "-q", "-w", $"{name}={value}"]);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"sysctl {name}={value} failed: {result.Stderr}");
        }
    }

    private void Ip(params string[] args)
    {
        var result = _namespace.Run(new[] { "ip" }.Concat(args));
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)} failed: {result.Stderr}");
        }
    }

    private void WriteBatch(List<(TapDevice Tap, byte[] Frame)> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        _thread.Invoke(() =>
        {
            foreach (var (tap, frame) in batch)
            {
                tap.Write(frame);
            }

            return 0;
        });
        batch.Clear();
        foreach (var iface in Host.Interfaces)
        {
            var tap = _taps[iface.Name];
            while (tap.Read(0) is { } received)
            {
                if (received.Length >= 14 && BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(12)) == 0x0800)
                {
                    _frames.Add(new LabFrame(iface.Name, received));
                }
            }
        }

        _pendingLog.AddRange(_messages.ReadNew());
    }

    // An ARP probe (sender address 0.0.0.0) for the interface's own address: answered without creating a neighbour.
    private void Barrier(string interfaceName)
    {
        var iface = Host.Interface(interfaceName);
        var arp = new byte[28];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(2), 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp.AsSpan(6), 1);
        s_probeMac.Write(arp.AsSpan(8));
        iface.Address.Write(arp.AsSpan(24));
        var frame = PacketBuilder.Ethernet(MacAddress.Broadcast, s_probeMac, arp, 0x0806);
        var tap = _taps[interfaceName];
        _thread.Invoke(() =>
        {
            tap.Write(frame);
            return 0;
        });
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var received = tap.Read(1000);
            if (received is null || received.Length < 14)
            {
                continue;
            }

            ushort type = BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(12));
            if (type == 0x0806)
            {
                if (received.Length >= 42 && BinaryPrimitives.ReadUInt16BigEndian(received.AsSpan(20)) == 2
                    && MacAddress.Read(received.AsSpan(32)) == s_probeMac)
                {
                    return;
                }

                continue;
            }

            if (type == 0x0800)
            {
                _frames.Add(new LabFrame(interfaceName, received));
            }
        }

        throw new TimeoutException($"the kernel did not answer the ARP probe on {interfaceName}");
    }
}
