using Sekisho.Packets;

namespace Sekisho.Cli.Trace;

/// <summary>A packet described on the command line of <c>sekisho trace</c>.</summary>
internal sealed class TracePacket
{
    public string? InInterface { get; set; }

    public bool Local { get; set; }

    public bool Reply { get; set; }

    public byte Protocol { get; set; } = 6;

    public bool ProtocolGiven { get; set; }

    public Ipv4Address? Source { get; set; }

    public Ipv4Address? Destination { get; set; }

    public ushort? SourcePort { get; set; }

    public ushort? DestinationPort { get; set; }

    public byte? TcpFlags { get; set; }

    public uint? Sequence { get; set; }

    public uint? Acknowledgment { get; set; }

    public ushort Window { get; set; } = 64240;

    public byte? IcmpType { get; set; }

    public byte IcmpCode { get; set; }

    public ushort IcmpId { get; set; } = 1;

    public ushort? IcmpSequence { get; set; }

    public byte Ttl { get; set; } = 64;

    public byte Tos { get; set; }

    public ushort? Id { get; set; }

    public bool DontFragment { get; set; } = true;

    public int PayloadLength { get; set; }

    public uint Mark { get; set; }

    public uint? Uid { get; set; }

    public uint? Gid { get; set; }

    public MacAddress? SourceMac { get; set; }

    /// <summary>A copy to start the next packet of a sequence from.</summary>
    public TracePacket Next() => new()
    {
        InInterface = InInterface,
        Local = Local,
        Protocol = Protocol,
        ProtocolGiven = ProtocolGiven,
        Source = Source,
        Destination = Destination,
        SourcePort = SourcePort,
        DestinationPort = DestinationPort,
        Window = Window,
        IcmpType = IcmpType,
        IcmpCode = IcmpCode,
        IcmpId = IcmpId,
        Ttl = Ttl,
        Tos = Tos,
        DontFragment = DontFragment,
        Mark = 0,
        Uid = Uid,
        Gid = Gid,
        SourceMac = SourceMac,
    };
}
