using System.Globalization;
using System.Text;

namespace Sekisho.Benchmarks;

/// <summary>Seeded rulesets for the benchmarks: realistic filter rules in iptables-restore form.</summary>
internal static class RulesetFiles
{
    /// <summary>A filter table of <paramref name="rules"/> rules (addresses, ports, LOG, user chains), seeded.</summary>
    public static string Filter(int rules, int seed = 42)
    {
        var random = new Random(seed);
        var text = new StringBuilder(rules * 70);
        text.Append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        for (int i = 0; i < 20; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $":svc-{i:D2} - [0:0]\n");
        }

        for (int i = 0; i < rules; i++)
        {
            string address = $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}";
            switch (random.Next(5))
            {
                case 0:
                    text.Append(CultureInfo.InvariantCulture, $"-A INPUT -s {address}/32 -p tcp -m tcp --dport {random.Next(1, 65536)} -j ACCEPT\n");
                    break;
                case 1:
                    text.Append(CultureInfo.InvariantCulture, $"-A FORWARD -d {address}/24 -i eth0 -j svc-{random.Next(20):D2}\n");
                    break;
                case 2:
                    text.Append(CultureInfo.InvariantCulture, $"-A svc-{random.Next(20):D2} -s {address}/16 -p tcp -m tcp --sport 1024:65535 -j DROP\n");
                    break;
                case 3:
                    text.Append(CultureInfo.InvariantCulture, $"-A INPUT -s {address}/32 -p icmp -j LOG --log-prefix \"[in {i}] \"\n");
                    break;
                default:
                    text.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {address}/32 -o eth1 -j ACCEPT\n");
                    break;
            }
        }

        text.Append("COMMIT\n");
        return text.ToString();
    }
}
