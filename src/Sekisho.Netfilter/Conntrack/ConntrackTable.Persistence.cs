using System.Buffers.Binary;
using System.Text;
using Sekisho.Packets;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>Listing, saving and loading the table.</summary>
public sealed partial class ConntrackTable
{
    // "SKCT", a version, the entry count, the clock's time of saving (UTC ticks), fixed-size entries, then a
    // CRC-32C of everything before it. Timeouts are stored as the jiffies left at the time of saving.
    private const uint Magic = 0x54434B53;
    private const ushort FormatVersion = 1;
    private const int HeaderSize = 18;
    private const int EntrySize = 98;

    /// <summary>Writes the table's entries (with their remaining timeouts) so that <see cref="Load"/> restores them.</summary>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        uint now = Now32;
        var entries = Connections.ToList();
        var buffer = new byte[HeaderSize + entries.Count * EntrySize + 4];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(span[4..], FormatVersion);
        BinaryPrimitives.WriteInt32LittleEndian(span[6..], entries.Count);
        BinaryPrimitives.WriteInt64LittleEndian(span[10..], Net.Now.UtcTicks);
        int offset = HeaderSize;
        foreach (var ct in entries)
        {
            WriteEntry(span.Slice(offset, EntrySize), ct, now);
            offset += EntrySize;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(span[offset..], Crc32c.Compute(span[..offset]));
        stream.Write(buffer);
    }

    /// <summary>Replaces the table's entries by those <see cref="Save"/> wrote; a damaged stream throws <see cref="InvalidDataException"/> and leaves the table unchanged.</summary>
    /// <remarks>
    /// The time that passed on the namespace's clock since the table was saved counts against the timeouts:
    /// entries whose time ran out meanwhile are not restored. A clock behind the time of saving (a replay of an
    /// older capture) counts as no time passed.
    /// </remarks>
    public void Load(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var span = copy.GetBuffer().AsSpan(0, (int)copy.Length);
        if (span.Length < HeaderSize + 4 || BinaryPrimitives.ReadUInt32LittleEndian(span) != Magic)
        {
            throw new InvalidDataException("Not a Sekisho conntrack table.");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(span[4..]) != FormatVersion)
        {
            throw new InvalidDataException("Unknown conntrack table format version.");
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(span[6..]);
        if (count < 0 || (long)HeaderSize + (long)count * EntrySize + 4 != span.Length)
        {
            throw new InvalidDataException("The conntrack table is truncated or has trailing bytes.");
        }

        int end = HeaderSize + count * EntrySize;
        if (Crc32c.Compute(span[..end]) != BinaryPrimitives.ReadUInt32LittleEndian(span[end..]))
        {
            throw new InvalidDataException("The conntrack table is damaged (checksum mismatch).");
        }

        long elapsedTicks = Math.Max(0, Net.Now.UtcTicks - BinaryPrimitives.ReadInt64LittleEndian(span[10..]));
        uint elapsed = (uint)Math.Min(elapsedTicks / (TimeSpan.TicksPerSecond / Engine.NetNamespace.Hz), int.MaxValue);
        uint now = Now32;
        var loaded = new List<Connection>(count);
        for (int i = 0; i < count; i++)
        {
            var ct = ReadEntry(span.Slice(HeaderSize + i * EntrySize, EntrySize), now);
            if ((int)(ct.Timeout - now) > (int)elapsed)
            {
                ct.Timeout -= elapsed;
                loaded.Add(ct);
            }
        }

        Flush();
        foreach (var ct in loaded)
        {
            var zone = new ConntrackZone(ct.Zone, ct.ZoneDirections);
            if (Find(ct.Original, zone, out _) is null && Find(ct.Reply, zone, out _) is null)
            {
                Insert(ct);
            }
        }
    }

    /// <summary>Writes the table as <c>conntrack -L</c> prints it (standard output only).</summary>
    public void WriteListing(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        uint now = Now32;
        var line = new StringBuilder();
        foreach (var ct in Connections)
        {
            line.Clear();
            ConntrackListing.Append(line, ct, now);
            output.Write(line.Append('\n').ToString());
        }
    }

    /// <summary>The number of entries <see cref="WriteListing"/> shows.</summary>
    public int LiveCount => Connections.Count();

    private static void WriteEntry(Span<byte> span, Connection ct, uint now)
    {
        var original = ct.Original;
        var reply = ct.Reply;
        BinaryPrimitives.WriteUInt32LittleEndian(span, original.Source.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], original.Destination.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(span[8..], original.SourcePort);
        BinaryPrimitives.WriteUInt16LittleEndian(span[10..], original.DestinationPort);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], reply.Source.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], reply.Destination.Value);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], reply.SourcePort);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], reply.DestinationPort);
        span[24] = ct.Protocol;
        span[25] = ct.ZoneDirections;
        BinaryPrimitives.WriteUInt16LittleEndian(span[26..], ct.Zone);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], (uint)ct.Status);
        BinaryPrimitives.WriteUInt32LittleEndian(span[32..], ct.Mark);
        BinaryPrimitives.WriteUInt32LittleEndian(span[36..], ct.Timeout - now);
        ref var tcp = ref ct.Tcp;
        uint lastSeq = ct.Protocol == 6 ? tcp.LastSeq : tcp.LastSeq - now;
        uint[] words =
        [
            tcp.Seen0.End, tcp.Seen0.MaxEnd, tcp.Seen0.MaxWin, tcp.Seen0.MaxAck,
            tcp.Seen1.End, tcp.Seen1.MaxEnd, tcp.Seen1.MaxWin, tcp.Seen1.MaxAck,
            lastSeq, tcp.LastAck, tcp.LastEnd,
        ];
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(span[(40 + i * 4)..], words[i]);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span[84..], tcp.LastWin);
        span[86] = tcp.Scale0;
        span[87] = tcp.Scale1;
        span[88] = tcp.Flags0;
        span[89] = tcp.Flags1;
        span[90] = (byte)tcp.State;
        span[91] = tcp.LastDir;
        span[92] = tcp.Retrans;
        span[93] = tcp.LastIndex;
        span[94] = tcp.LastWscale;
        span[95] = tcp.LastFlags;
        span[96] = 0;
        span[97] = 0;
    }

    private static Connection ReadEntry(ReadOnlySpan<byte> span, uint now)
    {
        byte protocol = span[24];
        var original = new ConntrackTuple(new Ipv4Address(BinaryPrimitives.ReadUInt32LittleEndian(span)),
            new Ipv4Address(BinaryPrimitives.ReadUInt32LittleEndian(span[4..])), protocol,
            BinaryPrimitives.ReadUInt16LittleEndian(span[8..]), BinaryPrimitives.ReadUInt16LittleEndian(span[10..]));
        var reply = new ConntrackTuple(new Ipv4Address(BinaryPrimitives.ReadUInt32LittleEndian(span[12..])),
            new Ipv4Address(BinaryPrimitives.ReadUInt32LittleEndian(span[16..])), protocol,
            BinaryPrimitives.ReadUInt16LittleEndian(span[20..]), BinaryPrimitives.ReadUInt16LittleEndian(span[22..]));
        var status = (ConnectionStatus)BinaryPrimitives.ReadUInt32LittleEndian(span[28..]);
        var state = (TcpConntrackState)span[90];
        if ((status & ConnectionStatus.Confirmed) == 0 || (status & (ConnectionStatus.Dying | ConnectionStatus.Template)) != 0
            || state > TcpConntrackState.SynSent2 || span[91] > 1 || span[93] > 5 || span[25] > 7)
        {
            throw new InvalidDataException("The conntrack table holds an impossible entry.");
        }

        var ct = new Connection(original, reply)
        {
            ZoneDirections = span[25],
            Zone = BinaryPrimitives.ReadUInt16LittleEndian(span[26..]),
            Status = status,
            Mark = BinaryPrimitives.ReadUInt32LittleEndian(span[32..]),
            Timeout = now + BinaryPrimitives.ReadUInt32LittleEndian(span[36..]),
        };
        ref var tcp = ref ct.Tcp;
        tcp.Seen0.End = BinaryPrimitives.ReadUInt32LittleEndian(span[40..]);
        tcp.Seen0.MaxEnd = BinaryPrimitives.ReadUInt32LittleEndian(span[44..]);
        tcp.Seen0.MaxWin = BinaryPrimitives.ReadUInt32LittleEndian(span[48..]);
        tcp.Seen0.MaxAck = BinaryPrimitives.ReadUInt32LittleEndian(span[52..]);
        tcp.Seen1.End = BinaryPrimitives.ReadUInt32LittleEndian(span[56..]);
        tcp.Seen1.MaxEnd = BinaryPrimitives.ReadUInt32LittleEndian(span[60..]);
        tcp.Seen1.MaxWin = BinaryPrimitives.ReadUInt32LittleEndian(span[64..]);
        tcp.Seen1.MaxAck = BinaryPrimitives.ReadUInt32LittleEndian(span[68..]);
        uint lastSeq = BinaryPrimitives.ReadUInt32LittleEndian(span[72..]);
        tcp.LastSeq = protocol == 6 ? lastSeq : lastSeq + now;
        tcp.LastAck = BinaryPrimitives.ReadUInt32LittleEndian(span[76..]);
        tcp.LastEnd = BinaryPrimitives.ReadUInt32LittleEndian(span[80..]);
        tcp.LastWin = BinaryPrimitives.ReadUInt16LittleEndian(span[84..]);
        tcp.Scale0 = span[86];
        tcp.Scale1 = span[87];
        tcp.Flags0 = span[88];
        tcp.Flags1 = span[89];
        tcp.State = state;
        tcp.LastDir = span[91];
        tcp.Retrans = span[92];
        tcp.LastIndex = span[93];
        tcp.LastWscale = span[94];
        tcp.LastFlags = span[95];
        return ct;
    }
}
