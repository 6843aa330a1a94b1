using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Sekisho.Packets;
using Xunit.Sdk;

namespace Sekisho.TestSupport.Lab;

/// <summary>The kernel and Sekisho side by side: the same host, the same ruleset, the same frames, compared after every step.</summary>
/// <remarks>
/// After each injected frame, the frames each host sent and the LOG lines each wrote must be identical; IP
/// identification fields the kernel draws at random (datagrams the host itself sends without DF) are masked, in
/// the frames and in the LOG lines that print them.
/// <see cref="AssertCounters"/> compares <c>iptables-save -c</c> of every table.
/// </remarks>
public sealed class LabPair : IDisposable
{
    /// <summary>Builds both hosts and loads the ruleset into both.</summary>
    public LabPair(LabHost host, string? rules = null, TimeProvider? clock = null)
    {
        Host = host;
        Kernel = new KernelLab(host, rules);
        try
        {
            Sekisho = new SekishoLab(host, rules, clock);
        }
        catch
        {
            Kernel.Dispose();
            throw;
        }
    }

    /// <summary>The host description.</summary>
    public LabHost Host { get; }

    /// <summary>The kernel's host.</summary>
    public KernelLab Kernel { get; }

    /// <summary>Sekisho's host.</summary>
    public SekishoLab Sekisho { get; }

    /// <summary>
    /// Further addresses whose datagrams sent without DF have their identification masked: the addresses the host's
    /// own datagrams leave with after NAT translated their source (an ICMP error about a translated connection).
    /// </summary>
    public HashSet<Ipv4Address> TranslatedHostAddresses { get; } = [];

    /// <summary>The frames of the last step (the kernel's, which equal Sekisho's).</summary>
    public List<LabFrame> LastFrames { get; private set; } = [];

    /// <summary>The LOG lines of the last step.</summary>
    public List<(int Level, string Message)> LastLog { get; private set; } = [];

    /// <summary>Injects a frame into both and compares what they sent and logged.</summary>
    public void Inject(string interfaceName, byte[] frame, string? step = null)
    {
        Kernel.Inject(interfaceName, frame);
        Sekisho.Inject(interfaceName, frame);
        Compare(step ?? $"frame {Convert.ToHexString(frame)} on {interfaceName}");
    }

    /// <summary>Injects an IPv4 datagram, framed as sent by the peer to <paramref name="interfaceName"/>.</summary>
    public void InjectDatagram(string interfaceName, byte[] datagram, string? step = null) =>
        Inject(interfaceName, Host.FrameTo(interfaceName, datagram), step);

    /// <summary>Sends a datagram from a process of both hosts (root's unless <paramref name="sender"/> says otherwise) and compares what they sent and logged.</summary>
    public void Send(byte[] datagram, LabSender? sender = null, string? step = null)
    {
        Kernel.Send(datagram, sender ?? LabSender.Root);
        Sekisho.Send(datagram, sender ?? LabSender.Root);
        Compare(step ?? $"datagram {Convert.ToHexString(datagram)} sent by the host");
    }

    /// <summary>Sends a UDP payload from a bound socket of both hosts and compares what they sent and logged.</summary>
    public void SendUdp(Ipv4Address source, ushort sourcePort, Ipv4Address destination, ushort destinationPort, byte[] payload,
        LabSender? sender = null, string? step = null)
    {
        Kernel.SendUdp(source, sourcePort, destination, destinationPort, payload, sender ?? LabSender.Root);
        Sekisho.SendUdp(source, sourcePort, destination, destinationPort, payload, sender ?? LabSender.Root);
        Compare(step ?? $"UDP {source}:{sourcePort} > {destination}:{destinationPort} sent by the host", maskIds: true);
    }

    /// <summary>
    /// Injects many frames into both, the kernel with a single barrier at the end, and compares what they sent (as
    /// multisets: the kernel's frames of different interfaces interleave differently) and logged, when asked.
    /// </summary>
    public void InjectMany(IReadOnlyList<(string Interface, byte[] Frame)> frames, bool compareOutput = true, string? step = null)
    {
        Kernel.InjectMany(frames);
        foreach (var (name, frame) in frames)
        {
            Sekisho.Inject(name, frame);
        }

        var kernelFrames = Kernel.TakeFrames();
        var sekishoFrames = Sekisho.TakeFrames();
        var kernelLog = Kernel.TakeLog();
        var sekishoLog = Sekisho.TakeLog();
        LastFrames = kernelFrames;
        LastLog = kernelLog;
        if (!compareOutput)
        {
            return;
        }

        var kernelSorted = kernelFrames.Select(Normalise).Order(StringComparer.Ordinal).ToList();
        var sekishoSorted = sekishoFrames.Select(Normalise).Order(StringComparer.Ordinal).ToList();
        if (!kernelSorted.SequenceEqual(sekishoSorted))
        {
            // Counters say where the two parted ways: compare them first.
            AssertCounters(step);
            var onlyKernel = kernelSorted.Except(sekishoSorted).Take(10);
            var onlySekisho = sekishoSorted.Except(kernelSorted).Take(10);
            throw new XunitException($"frames differ{(step is null ? "" : " at " + step)}: kernel sent {kernelSorted.Count}, Sekisho {sekishoSorted.Count}\n" +
                $"=== only kernel ===\n{string.Join('\n', onlyKernel)}\n=== only sekisho ===\n{string.Join('\n', onlySekisho)}");
        }

        var kernelLines = kernelLog.Select(l => $"<{l.Level}> {l.Message}").Order(StringComparer.Ordinal).ToList();
        var sekishoLines = sekishoLog.Select(l => $"<{l.Level}> {l.Message}").Order(StringComparer.Ordinal).ToList();
        if (!kernelLines.SequenceEqual(sekishoLines))
        {
            throw new XunitException($"log differs{(step is null ? "" : " at " + step)}: kernel wrote {kernelLines.Count} lines, Sekisho {sekishoLines.Count}\n" +
                $"=== only kernel ===\n{string.Join('\n', kernelLines.Except(sekishoLines).Take(10))}\n" +
                $"=== only sekisho ===\n{string.Join('\n', sekishoLines.Except(kernelLines).Take(10))}");
        }
    }

    /// <summary>Injects many IPv4 datagrams on one interface (see the other overload).</summary>
    public void InjectMany(string interfaceName, IEnumerable<byte[]> datagrams, bool compareOutput = true, string? step = null) =>
        InjectMany(datagrams.Select(d => (interfaceName, Host.FrameTo(interfaceName, d))).ToList(), compareOutput, step);

    /// <summary>Runs a tool on both; their results must be equal.</summary>
    public ToolResult Tool(string commandLine, string? stdin = null)
    {
        var kernel = Kernel.Tool(commandLine, stdin);
        var sekisho = Sekisho.Tool(commandLine, stdin);
        if (kernel.ExitCode != sekisho.ExitCode || kernel.Stdout != sekisho.Stdout || kernel.Stderr != sekisho.Stderr)
        {
            throw new XunitException($"{commandLine} differs\n=== kernel (exit {kernel.ExitCode}) ===\n{kernel.Stdout}{kernel.Stderr}\n" +
                $"=== sekisho (exit {sekisho.ExitCode}) ===\n{sekisho.Stdout}{sekisho.Stderr}");
        }

        return kernel;
    }

    /// <summary>Compares the counters of every table (<c>iptables-save -c</c> without its comment lines).</summary>
    public string AssertCounters(string? step = null)
    {
        string kernel = WithoutComments(Kernel.Tool("iptables-save -c").Stdout);
        string sekisho = WithoutComments(Sekisho.Tool("iptables-save -c").Stdout);
        if (kernel != sekisho)
        {
            throw new XunitException($"counters differ{(step is null ? "" : " after " + step)}\n=== kernel ===\n{kernel}\n=== sekisho ===\n{sekisho}");
        }

        return kernel;
    }

    /// <summary>
    /// Compares <c>conntrack -L</c> line by line, sorted (the kernel lists in the order of its randomly seeded hash):
    /// every field exactly, except the seconds left, which count down in real time on both sides and may differ by
    /// one where a tick falls between the two listings. Returns the kernel's listing, sorted.
    /// </summary>
    public string AssertConntrack(string? step = null)
    {
        var kernel = SortedConntrack(Kernel.Conntrack());
        var sekisho = SortedConntrack(Sekisho.Conntrack());
        bool same = kernel.Count == sekisho.Count;
        for (int i = 0; same && i < kernel.Count; i++)
        {
            var k = kernel[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var s = sekisho[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            same = k.Length == s.Length && k.Length > 3;
            for (int j = 0; same && j < k.Length; j++)
            {
                same = j == 2
                    ? Math.Abs(long.Parse(k[j], CultureInfo.InvariantCulture) - long.Parse(s[j], CultureInfo.InvariantCulture)) <= 1
                    : k[j] == s[j];
            }
        }

        if (!same)
        {
            throw new XunitException($"conntrack differs{(step is null ? "" : " after " + step)}\n=== kernel ===\n{string.Join('\n', kernel)}\n=== sekisho ===\n{string.Join('\n', sekisho)}");
        }

        return string.Join('\n', kernel);
    }

    /// <summary>Compares <c>conntrack -L</c>, after <paramref name="normalise"/> (timeouts count down in real time on the kernel).</summary>
    public string AssertConntrack(Func<string, string> normalise, string? step = null)
    {
        string kernel = normalise(Kernel.Conntrack());
        string sekisho = normalise(Sekisho.Conntrack());
        if (kernel != sekisho)
        {
            throw new XunitException($"conntrack differs{(step is null ? "" : " after " + step)}\n=== kernel ===\n{kernel}\n=== sekisho ===\n{sekisho}");
        }

        return kernel;
    }

    // Sorted by the original tuple (the fields after the timeout).
    private static List<string> SortedConntrack(string listing) =>
        listing.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .OrderBy(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(3)), StringComparer.Ordinal)
            .ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        Kernel.Dispose();
        Sekisho.Dispose();
    }

    // With maskIds, the identification of every frame is masked: the kernel draws it for its UDP sockets' datagrams
    // even with DF (ip_select_ident), and those frames may leave with a translated, foreign source address.
    private void Compare(string step, bool maskIds = false)
    {
        var kernelFrames = Kernel.TakeFrames();
        var sekishoFrames = Sekisho.TakeFrames();
        var kernelLog = Kernel.TakeLog();
        var sekishoLog = Sekisho.TakeLog();
        var problems = new StringBuilder();
        if (!kernelFrames.Select(f => Normalise(f, maskIds)).SequenceEqual(sekishoFrames.Select(f => Normalise(f, maskIds))))
        {
            problems.Append("frames differ\n=== kernel ===\n").AppendJoin('\n', kernelFrames.Select(Describe))
                .Append("\n=== sekisho ===\n").AppendJoin('\n', sekishoFrames.Select(Describe)).Append('\n');
        }

        if (!kernelLog.Select(l => NormaliseLog(l, maskIds)).SequenceEqual(sekishoLog.Select(l => NormaliseLog(l, maskIds))))
        {
            problems.Append("log differs\n=== kernel ===\n").AppendJoin('\n', kernelLog.Select(l => $"<{l.Level}> {l.Message}"))
                .Append("\n=== sekisho ===\n").AppendJoin('\n', sekishoLog.Select(l => $"<{l.Level}> {l.Message}")).Append('\n');
        }

        if (problems.Length > 0)
        {
            throw new XunitException($"at {step}:\n{problems}");
        }

        LastFrames = kernelFrames;
        LastLog = kernelLog;
    }

    private string Normalise(LabFrame frame) => Normalise(frame, maskId: false);

    private string Normalise(LabFrame frame, bool maskId)
    {
        var bytes = (byte[])frame.Bytes.Clone();
        if (bytes.Length >= 34 && BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(12)) == 0x0800)
        {
            var ip = bytes.AsSpan(14);
            var source = Ipv4Address.Read(ip[12..]);
            bool ownSource = Host.Interfaces.Any(i => i.Address == source) || TranslatedHostAddresses.Contains(source);
            if (maskId || (ownSource && (ip[6] & 0x40) == 0))
            {
                // The kernel draws the IP ID of datagrams it sends without DF from a hashed, randomly perturbed counter.
                ip[4] = ip[5] = ip[10] = ip[11] = 0;
            }
        }

        return $"{frame.Interface}: {Convert.ToHexString(bytes)}";
    }

    // The same masking for LOG lines: the ID of the logged datagram when the host sent it without DF (or, with
    // maskId, with DF too).
    private (int Level, string Message) NormaliseLog((int Level, string Message) line, bool maskId)
    {
        var match = s_loggedHeader.Match(line.Message);
        if (!match.Success || (!maskId && match.Groups["flags"].Value.Contains("DF", StringComparison.Ordinal)))
        {
            return line;
        }

        var source = Ipv4Address.Parse(match.Groups["src"].Value);
        if (!Host.Interfaces.Any(i => i.Address == source) && !TranslatedHostAddresses.Contains(source))
        {
            return line;
        }

        var id = match.Groups["id"];
        return (line.Level, line.Message[..id.Index] + "*" + line.Message[(id.Index + id.Length)..]);
    }

    private static readonly System.Text.RegularExpressions.Regex s_loggedHeader = new(
        @"SRC=(?<src>[0-9.]+) DST=[0-9.]+ LEN=\d+ TOS=0x[0-9A-F]{2} PREC=0x[0-9A-F]{2} TTL=\d+ ID=(?<id>\d+) (?<flags>(CE )?(DF )?)");

    private static string Describe(LabFrame frame) => $"{frame.Interface}: {Convert.ToHexString(frame.Bytes)}";

    private static string WithoutComments(string save) =>
        string.Join('\n', save.Split('\n').Where(l => !l.StartsWith('#')));
}
