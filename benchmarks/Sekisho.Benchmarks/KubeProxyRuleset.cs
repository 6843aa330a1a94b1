using System.Globalization;
using System.Text;
using Sekisho.Packets;

namespace Sekisho.Benchmarks;

/// <summary>
/// A kube-proxy (iptables mode) style nat table: PREROUTING jumps to KUBE-SERVICES, which holds one
/// <c>-d VIP/32 -p tcp --dport P -j KUBE-SVC-n</c> rule per Service; each KUBE-SVC chain spreads connections over
/// its endpoints with <c>-m statistic --mode random --probability 1/k</c> jumps to KUBE-SEP chains, which DNAT.
/// </summary>
internal sealed class KubeProxyRuleset
{
    private readonly (uint Vip, ushort Port)[] _services;

    /// <summary>Generates <paramref name="services"/> Services with 1 to 3 endpoints each.</summary>
    public KubeProxyRuleset(int services, int seed)
    {
        var random = new Random(seed);
        _services = new (uint, ushort)[services];
        var text = new StringBuilder(services * 600);
        text.Append("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
        text.Append(":KUBE-SERVICES - [0:0]\n");
        var endpoints = new int[services];
        for (int i = 0; i < services; i++)
        {
            endpoints[i] = random.Next(1, 4);
            text.Append(CultureInfo.InvariantCulture, $":KUBE-SVC-{i:D6} - [0:0]\n");
            for (int e = 0; e < endpoints[i]; e++)
            {
                text.Append(CultureInfo.InvariantCulture, $":KUBE-SEP-{i:D6}-{e} - [0:0]\n");
            }
        }

        text.Append("-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n");
        for (int i = 0; i < services; i++)
        {
            uint vip = 0x0A600000u + (uint)i + 1;
            ushort port = (ushort)(random.Next(4) == 0 ? 443 : random.Next(1, 4) * 1000 + random.Next(100));
            _services[i] = (vip, port);
            text.Append(CultureInfo.InvariantCulture,
                $"-A KUBE-SERVICES -d {new Ipv4Address(vip)}/32 -p tcp -m comment --comment \"ns/svc-{i}:p cluster IP\" -m tcp --dport {port} -j KUBE-SVC-{i:D6}\n");
        }

        for (int i = 0; i < services; i++)
        {
            int count = endpoints[i];
            for (int e = 0; e < count; e++)
            {
                text.Append(CultureInfo.InvariantCulture, $"-A KUBE-SVC-{i:D6} -m comment --comment \"ns/svc-{i}:p -> ep{e}\"");
                if (e < count - 1)
                {
                    double probability = 1.0 / (count - e);
                    text.Append(CultureInfo.InvariantCulture, $" -m statistic --mode random --probability {probability:F11}");
                }

                text.Append(CultureInfo.InvariantCulture, $" -j KUBE-SEP-{i:D6}-{e}\n");
            }

            for (int e = 0; e < count; e++)
            {
                var pod = new Ipv4Address(0x0AF40000u + (uint)(i * 4 + e + 2));
                text.Append(CultureInfo.InvariantCulture,
                    $"-A KUBE-SEP-{i:D6}-{e} -p tcp -m comment --comment \"ns/svc-{i}:p\" -m tcp -j DNAT --to-destination {pod}:8080\n");
            }
        }

        text.Append("COMMIT\n");
        Text = text.ToString();
    }

    /// <summary>The ruleset in iptables-restore form.</summary>
    public string Text { get; }

    /// <summary>TCP SYNs of new connections from clients to uniformly chosen Services.</summary>
    public IEnumerable<byte[]> Connections(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var (vip, port) = _services[random.Next(_services.Length)];
            var ip = new IpFields(new Ipv4Address(0x0B000000u + (uint)random.Next(1 << 20)), new Ipv4Address(vip));
            yield return PacketBuilder.Tcp(ip, (ushort)random.Next(1024, 65536), port, TcpHeader.Syn);
        }
    }
}
