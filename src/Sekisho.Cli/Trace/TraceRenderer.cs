using System.Text;
using System.Text.Json;
using Sekisho.Netfilter.Engine;
using Sekisho.Netfilter.Model;
using Sekisho.Netfilter.Tracing;

namespace Sekisho.Cli.Trace;

/// <summary>Writes traces as text for people and as JSON for tools.</summary>
internal sealed class TraceRenderer
{
    private readonly Func<CompiledEntry, string?> _ruleText;

    public TraceRenderer(Func<CompiledEntry, string?> ruleText)
    {
        _ruleText = ruleText;
    }

    public void WriteText(TextWriter output, IReadOnlyList<TracedPacket> packets)
    {
        for (int n = 0; n < packets.Count; n++)
        {
            var packet = packets[n];
            if (n > 0)
            {
                output.Write('\n');
            }

            output.Write($"Packet {n + 1}: {packet.Description}\n");
            var events = packet.Events;
            for (int i = 0; i < events.Count; i++)
            {
                var e = events[i];
                string indent = new(' ', 2 + (e.Depth * 4));
                switch (e.Kind)
                {
                    case TraceEventKind.Entered when e.Depth == 0:
                        break;
                    case TraceEventKind.Entered:
                        output.Write($"{indent}{e.Text}\n");
                        break;
                    case TraceEventKind.Hook:
                        output.Write($"{indent}{e.Text}\n");
                        break;
                    case TraceEventKind.Table:
                        output.Write($"{indent}  table {e.Table}\n");
                        break;
                    case TraceEventKind.Missed:
                        output.Write($"{indent}    {e.Position,-24} no match  {Describe(e.Entry!)}\n");
                        break;
                    case TraceEventKind.Matched when e.Entry!.Role != EntryRole.Rule && i + 1 < events.Count
                        && events[i + 1].Kind == TraceEventKind.EntryVerdict:
                        output.Write($"{indent}    {e.Position,-24} {Decision(events[i + 1])}\n");
                        i++;
                        break;
                    case TraceEventKind.Matched:
                        if (i + 1 < events.Count && events[i + 1] is { Kind: TraceEventKind.EntryVerdict } verdict
                            && verdict.Entry == e.Entry)
                        {
                            output.Write($"{indent}    {e.Position,-24} MATCH     {Describe(e.Entry!)} -> {Decision(verdict)}\n");
                            i++;
                        }
                        else
                        {
                            output.Write($"{indent}    {e.Position,-24} MATCH     {Describe(e.Entry!)}\n");
                        }

                        break;
                    case TraceEventKind.EntryVerdict:
                        output.Write($"{indent}    {e.Position,-24} {Decision(e)}\n");
                        break;
                    case TraceEventKind.TableVerdict:
                        break;
                    case TraceEventKind.Log:
                        output.Write($"{indent}      log: {e.Text}\n");
                        break;
                    case TraceEventKind.Delivered:
                        output.Write($"{indent}{e.Text}\n");
                        break;
                    case TraceEventKind.Reply:
                        output.Write($"{indent}      reply: {e.Text}\n");
                        break;
                    case TraceEventKind.Nat:
                        output.Write($"{indent}      nat: {e.Text}\n");
                        break;
                    default:
                        output.Write($"{indent}{Label(e.Kind)}: {e.Text}\n");
                        break;
                }
            }

            output.Write($"  Result: {Result(packet.Result)}\n");
            if (packet.Conntrack is not null)
            {
                output.Write($"  Conntrack: {packet.Conntrack}\n");
            }
        }
    }

    public void WriteJson(Stream output, IReadOnlyList<TracedPacket> packets)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteStartArray("packets");
        foreach (var packet in packets)
        {
            json.WriteStartObject();
            json.WriteString("packet", packet.Description);
            json.WriteString("fate", packet.Result.Fate.ToString().ToLowerInvariant());
            if (packet.Result.Hook is { } hook)
            {
                json.WriteString("hook", TableDefinition.ChainNameOf(hook));
            }

            if (packet.Result.Table is { } table)
            {
                json.WriteString("table", table);
            }

            if (packet.Conntrack is not null)
            {
                json.WriteString("conntrack", packet.Conntrack);
            }

            json.WriteStartArray("steps");
            foreach (var e in packet.Events)
            {
                json.WriteStartObject();
                json.WriteNumber("depth", e.Depth);
                json.WriteString("kind", JsonKind(e.Kind));
                if (e.Position is { } position)
                {
                    json.WriteString("position", position);
                    if (_ruleText(e.Entry!) is { } rule)
                    {
                        json.WriteString("rule", rule);
                    }
                }
                else if (e.Table is not null)
                {
                    json.WriteString("table", e.Table);
                }

                if (e.Kind is TraceEventKind.EntryVerdict or TraceEventKind.TableVerdict)
                {
                    json.WriteString("verdict", NfVerdict.NameOf(e.Verdict));
                }
                else if (e.Text.Length > 0 && e.Kind is not (TraceEventKind.Table))
                {
                    json.WriteString("detail", e.Text);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        output.WriteByte((byte)'\n');
    }

    public void WriteJson(TextWriter output, IReadOnlyList<TracedPacket> packets)
    {
        using var buffer = new MemoryStream();
        WriteJson(buffer, packets);
        output.Write(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private string Describe(CompiledEntry entry) => entry.Role switch
    {
        EntryRole.Policy => "(policy)",
        EntryRole.Return => "(end of chain)",
        _ => _ruleText(entry) ?? string.Empty,
    };

    private static string Decision(TraceEvent e)
    {
        var entry = e.Entry!;
        return entry.Action switch
        {
            EntryAction.Jump => $"jump to {((Netfilter.Extensions.JumpTarget)entry.Rule!.Target).Chain}",
            EntryAction.Goto when entry.Rule?.Target is Netfilter.Extensions.JumpTarget jump => $"goto {jump.Chain}",
            EntryAction.Goto => "continue",
            EntryAction.Return => entry.Role == EntryRole.Rule ? "RETURN" : "end of chain: return to the calling chain",
            EntryAction.Verdict when entry.Role == EntryRole.Policy => $"policy {NfVerdict.NameOf(e.Verdict)}",
            EntryAction.Extension when e.Verdict == NfVerdict.Continue => $"{entry.Rule!.Target.Name}, continue",
            EntryAction.Extension => $"{entry.Rule!.Target.Name}: {NfVerdict.NameOf(e.Verdict)}",
            _ => NfVerdict.NameOf(e.Verdict),
        };
    }

    private static string Label(TraceEventKind kind) => kind switch
    {
        TraceEventKind.Routing => "routing",
        TraceEventKind.Conntrack => "conntrack",
        TraceEventKind.Delivered => "delivered",
        TraceEventKind.Transmitted => "sent",
        TraceEventKind.Dropped => "dropped",
        TraceEventKind.Held => "held",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string JsonKind(TraceEventKind kind) => kind switch
    {
        TraceEventKind.EntryVerdict => "verdict",
        TraceEventKind.TableVerdict => "table-verdict",
        _ => kind.ToString().ToLowerInvariant(),
    };

    private static string Result(PacketResult result) => result.Fate switch
    {
        PacketFate.Dropped when result.Table is not null => $"DROP ({result.Table} {TableDefinition.ChainNameOf(result.Hook!.Value)})",
        PacketFate.Dropped when result.Hook is not null => $"DROP (at {TableDefinition.ChainNameOf(result.Hook.Value)})",
        PacketFate.Dropped => "DROP",
        PacketFate.Delivered => "ACCEPT (delivered to the host)",
        PacketFate.Forwarded => "ACCEPT (forwarded)",
        PacketFate.Sent => "ACCEPT (sent)",
        PacketFate.Held => "held (a fragment waiting for the rest of its datagram)",
        PacketFate.Unroutable => "not routed",
        PacketFate.Malformed => "discarded (malformed IPv4 header)",
        _ => "ignored",
    };
}
