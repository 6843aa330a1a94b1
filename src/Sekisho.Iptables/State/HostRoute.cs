using System.Globalization;
using Sekisho.Packets;

namespace Sekisho.Iptables.State;

/// <summary>A route of a stored host model, in <c>ip route</c> words: <c>PREFIX|default [via GATEWAY] dev DEVICE [src ADDRESS]</c>.</summary>
public sealed record HostRoute(Ipv4Address Destination, int PrefixLength, Ipv4Address Gateway, string Device, Ipv4Address Source)
{
    /// <summary>Parses the words after <c>route</c> (or <c>route add</c>).</summary>
    public static HostRoute Parse(IReadOnlyList<string> words, HostDescription host)
    {
        if (words.Count == 0)
        {
            throw new FormatException("expected PREFIX|default [via GATEWAY] dev DEVICE [src ADDRESS]");
        }

        var (destination, prefix) = words[0] == "default" ? (default, 0)
            : words[0].Contains('/') ? HostDescription.ParsePrefix(words[0]) : (HostDescription.ParseAddress(words[0]), 32);
        if ((destination & Ipv4Address.MaskFromPrefix(prefix)) != destination)
        {
            throw new FormatException($"invalid prefix for the mask `{words[0]}'");
        }

        Ipv4Address gateway = default;
        Ipv4Address source = default;
        string? device = null;
        for (int i = 1; i < words.Count; i += 2)
        {
            if (i + 1 >= words.Count)
            {
                throw new FormatException($"`{words[i]}' needs a value");
            }

            switch (words[i])
            {
                case "via":
                    gateway = HostDescription.ParseAddress(words[i + 1]);
                    break;
                case "dev":
                    device = words[i + 1];
                    break;
                case "src":
                    source = HostDescription.ParseAddress(words[i + 1]);
                    break;
                default:
                    throw new FormatException($"unknown route option `{words[i]}'");
            }
        }

        if (device is null)
        {
            // As ip route: a gateway names the device whose subnet holds it.
            device = host.Interfaces.Find(i => i.Addresses.Any(a =>
                (a.Address & Ipv4Address.MaskFromPrefix(a.PrefixLength)) == (gateway & Ipv4Address.MaskFromPrefix(a.PrefixLength))))?.Name
                ?? throw new FormatException(gateway.Value == 0 ? "a route needs dev DEVICE" : $"gateway {gateway} is on no interface's subnet");
        }
        else if (host.Find(device) is null)
        {
            throw new FormatException($"no interface {device}");
        }

        return new HostRoute(destination, prefix, gateway, device, source);
    }

    /// <summary>The <c>ip route</c> words.</summary>
    public override string ToString() =>
        (PrefixLength == 0 ? "default" : $"{Destination}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}")
        + (Gateway.Value != 0 ? $" via {Gateway}" : "") + $" dev {Device}" + (Source.Value != 0 ? $" src {Source}" : "");
}
