using System.Buffers.Binary;
using System.Globalization;
using Sekisho.Packets;

namespace Sekisho.Live.Daemon;

/// <summary>Reads <c>/proc/net/igmp</c>: the IPv4 multicast groups the host's sockets have joined, by interface.</summary>
/// <remarks>
/// The file has a line per device (<c>index, tab, name padded to ten, ':', count, querier version</c>) followed by
/// a line per group, indented by tabs, whose first field is the group in hexadecimal as the kernel's
/// <c>__be32</c> reads in the host's byte order (<c>010000E0</c> is 224.0.0.1 on a little-endian machine).
/// </remarks>
internal static class IgmpTable
{
    /// <summary>The file in the namespace of the calling process.</summary>
    public const string Path = "/proc/net/igmp";

    /// <summary>The groups of each device named in the text (devices without groups are absent).</summary>
    public static Dictionary<string, List<Ipv4Address>> Parse(string text)
    {
        var groups = new Dictionary<string, List<Ipv4Address>>(StringComparer.Ordinal);
        List<Ipv4Address>? current = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith("Idx", StringComparison.Ordinal))
            {
                continue;
            }

            if (line[0] != '\t')
            {
                // "4\teth0      :     1      V3": the name ends at the padding before the colon.
                int tab = line.IndexOf('\t');
                int colon = line.IndexOf(':');
                current = null;
                if (tab > 0 && colon > tab)
                {
                    string name = line[(tab + 1)..colon].TrimEnd();
                    if (!groups.TryGetValue(name, out current))
                    {
                        current = [];
                        groups[name] = current;
                    }
                }

                continue;
            }

            string field = line.TrimStart('\t').Split([' ', '\t'], 2)[0];
            if (current is not null && field.Length == 8 &&
                uint.TryParse(field, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint raw))
            {
                uint value = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
                current.Add(new Ipv4Address(value));
            }
        }

        return groups;
    }
}
