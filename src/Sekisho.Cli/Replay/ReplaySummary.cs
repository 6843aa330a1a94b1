using System.Globalization;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Cli.Replay;

/// <summary>What a replay did with the packets of a capture, counted by fate.</summary>
internal sealed class ReplaySummary
{
    public long Read { get; set; }

    public long Received { get; set; }

    public long Delivered { get; set; }

    public long Forwarded { get; set; }

    public long Dropped { get; set; }

    public long Held { get; set; }

    public long Unroutable { get; set; }

    public long Malformed { get; set; }

    public long Ignored { get; set; }

    public long Sent { get; set; }

    public long SentAccepted { get; set; }

    public long SentDropped { get; set; }

    public long ForwardedCopies { get; set; }

    public long RepliesGenerated { get; set; }

    public long RepliesInCapture { get; set; }

    public long NotIpv4 { get; set; }

    public long Truncated { get; set; }

    public long FramesOut { get; set; }

    public long ChecksumsCompleted { get; set; }

    public long Errors { get; set; }

    public long SourceTranslated { get; set; }

    public long DestinationTranslated { get; set; }

    public DateTimeOffset? First { get; set; }

    public DateTimeOffset? Last { get; set; }

    public void CountReceived(PacketFate fate)
    {
        Received++;
        switch (fate)
        {
            case PacketFate.Delivered:
                Delivered++;
                break;
            case PacketFate.Forwarded:
            case PacketFate.Sent:
                Forwarded++;
                break;
            case PacketFate.Dropped:
                Dropped++;
                break;
            case PacketFate.Held:
                Held++;
                break;
            case PacketFate.Unroutable:
                Unroutable++;
                break;
            case PacketFate.Malformed:
                Malformed++;
                break;
            default:
                Ignored++;
                break;
        }
    }

    public void CountSent(PacketFate fate)
    {
        Sent++;
        if (fate is PacketFate.Sent or PacketFate.Delivered or PacketFate.Forwarded)
        {
            SentAccepted++;
        }
        else
        {
            SentDropped++;
        }
    }

    public void Write(TextWriter output, string capture, string format)
    {
        string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
        output.Write($"Replayed {capture} ({format}): {N(Read)} packets");
        if (First is { } first && Last is { } last)
        {
            output.Write($", {first.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff} to {last.UtcDateTime:yyyy-MM-dd HH:mm:ss.ffffff} UTC");
        }

        output.Write('\n');
        output.Write($"  received by the host   {N(Received),9}  accepted {N(Delivered + Forwarded)} (locally delivered {N(Delivered)}, forwarded {N(Forwarded)}), dropped {N(Dropped)}");
        if (Held > 0)
        {
            output.Write($", fragments held {N(Held)}");
        }

        if (Unroutable + Malformed + Ignored > 0)
        {
            output.Write($", not routed {N(Unroutable)}, malformed {N(Malformed)}, not for this host {N(Ignored)}");
        }

        output.Write('\n');
        output.Write($"  sent by the host       {N(Sent),9}  accepted {N(SentAccepted)}, dropped {N(SentDropped)}\n");
        output.Write($"  replies generated      {N(RepliesGenerated),9}  ({N(RepliesInCapture)} of them also in the capture, not sent twice)\n");
        if (ForwardedCopies > 0)
        {
            output.Write($"  forwarded copies       {N(ForwardedCopies),9}  (leaving the host in the capture; counted when they arrived)\n");
        }

        if (NotIpv4 + Truncated > 0)
        {
            output.Write($"  skipped                {N(NotIpv4 + Truncated),9}  (not IPv4 {N(NotIpv4)}, cut by the snapshot length {N(Truncated)})\n");
        }

        if (ChecksumsCompleted > 0)
        {
            output.Write($"  checksums completed    {N(ChecksumsCompleted),9}  (left to the hardware by their sender, as the capture shows)\n");
        }

        if (SourceTranslated + DestinationTranslated > 0)
        {
            output.Write($"  NAT translations       {N(SourceTranslated + DestinationTranslated),9}  (new connections: source {N(SourceTranslated)}, destination {N(DestinationTranslated)}; both tuples in `sekisho conntrack -L')\n");
        }

        output.Write($"  frames out             {N(FramesOut),9}\n");
        output.Write($"  errors                 {N(Errors),9}\n");
    }
}
