using Sekisho.Packets;

namespace Sekisho.TestSupport.Lab;

/// <summary>An Ethernet interface of a lab host: name, MAC, address and prefix length.</summary>
public sealed record LabInterface(string Name, MacAddress Mac, Ipv4Address Address, int PrefixLength);
