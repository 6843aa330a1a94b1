using System.Buffers.Binary;
using Sekisho.Packets;

namespace Sekisho.Cli.Demo;

/// <summary>
/// Seed document 000's session: server 1 (10.1.51.165 on eth0) filters what server 2 (10.1.77.146, another subnet,
/// reached through the VPC router) sends it — logging pings, dropping them, rejecting ssh and logging the ICMP
/// error that REJECT sends back.
/// </summary>
/// <remarks>
/// The packets carry the values the document's log lines show (IP identifications, the ping identifier, the ssh
/// client's port and window); everything else about them is what Linux puts in a ping or an ssh connection attempt.
/// </remarks>
internal static class SeedScenario
{
    public static readonly Ipv4Address Server1 = Ipv4Address.Parse("10.1.51.165");
    public static readonly Ipv4Address Server2 = Ipv4Address.Parse("10.1.77.146");
    public static readonly Ipv4Address Router = Ipv4Address.Parse("10.1.51.1");
    public static readonly MacAddress Server1Mac = MacAddress.Parse("0a:11:d1:09:77:ce");
    public static readonly MacAddress RouterMac = MacAddress.Parse("0a:a2:e8:49:27:a3");

    /// <summary>The time the document's first log line was written (the servers run on UTC).</summary>
    public static readonly DateTimeOffset Start = new(2017, 9, 2, 8, 58, 57, TimeSpan.Zero);

    public static IReadOnlyList<DemoStep> Steps()
    {
        return
        [
            new Say("""
                Seed document 000: packet filtering on server 1.
                server 1 is 10.1.51.165 on eth0 (MAC 0a:11:d1:09:77:ce); server 2 is 10.1.77.146, in the other subnet
                of the VPC, so its packets reach server 1 through the router (MAC 0a:a2:e8:49:27:a3). Every packet
                below goes through Sekisho's netfilter exactly as through the kernel's: same tables, counters, LOG
                lines and replies. Nothing leaves this machine: the network is simulated.
                """),
            new Say("The firewall starts empty: the built-in chains of the filter table accept everything."),
            new Run("iptables -L"),
            new Say("Log the ICMP packets that come from server 2, with the prefix [INPUT]:"),
            new Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j LOG --log-prefix \"[INPUT]\""),
            Ping(Start, [10084, 10928, 11195], sequenceStart: 1),
            new Say("LOG writes one kernel message per echo request (type 8) and lets it go on; server 1 answers them."),
            new ShowLog(),
            new Say("Now drop the ICMP packets from server 2:"),
            new Run("iptables -A INPUT -s 10.1.77.146 -p icmp -j DROP"),
            Ping(Start.AddMinutes(5), [15873, 16002, 16548], sequenceStart: 1),
            new Say("""
                The echo requests are still logged: LOG is the first rule of INPUT, DROP the second, so each request
                is logged and then discarded (the document's "no log for dropped packets" would need DROP first).
                """),
            new ShowLog(),
            new Run("iptables -L -v"),
            new Say("Reject ssh from server 2, and log every ICMP packet server 1 sends:"),
            new Run("iptables -A INPUT -s 10.1.77.146 -p tcp --dport 22 -j REJECT"),
            new Run("iptables -A OUTPUT -p icmp -j LOG --log-prefix \"[OUTPUT] \""),
            Ssh(new DateTimeOffset(2017, 9, 2, 9, 31, 43, TimeSpan.Zero)),
            new Say("""
                REJECT discards the connection attempt and answers it with an ICMP destination unreachable (type 3,
                code 3: port unreachable), which the ssh client reports as "Connection refused". The answer itself
                goes through OUTPUT, so the [OUTPUT] rule logs it, with the rejected packet quoted in [ ].
                """),
            new ShowLog(),
            new Say("Save the ruleset, as `service iptables save` writes /etc/sysconfig/iptables:"),
            new Run("iptables-save", new DateTimeOffset(2017, 9, 2, 9, 38, 33, TimeSpan.Zero)),
        ];
    }

    private static Traffic Ping(DateTimeOffset start, ushort[] ids, ushort sequenceStart)
    {
        var packets = new List<(DateTimeOffset, byte[])>();
        for (int i = 0; i < ids.Length; i++)
        {
            var ip = new IpFields(Server2, Server1) { Id = ids[i], DontFragment = true };
            packets.Add((start.AddSeconds(i), PacketBuilder.Echo(ip, 1496, (ushort)(sequenceStart + i), PingPayload(start.AddSeconds(i)))));
        }

        return new Traffic("server2$ ping -c 3 10.1.51.165", packets, (sent, replies) =>
        {
            int received = replies.Count(r => r.Length >= 28 && r[9] == 1 && r[20] == 0);
            return $"{sent} packets transmitted, {received} received, {(sent - received) * 100 / sent}% packet loss";
        });
    }

    private static Traffic Ssh(DateTimeOffset time)
    {
        var ip = new IpFields(Server2, Server1) { Id = 40037, DontFragment = true };
        byte[] options =
        [
            2, 4, 0x23, 0x01,                    // MSS 8961
            4, 2,                                // SACK permitted
            8, 10, 0x00, 0x4C, 0x4B, 0x40, 0, 0, 0, 0, // timestamps
            1,                                   // NOP
            3, 3, 7,                             // window scale 7
        ];
        var syn = PacketBuilder.Tcp(ip, 55724, 22, TcpHeader.Syn, 0x5A3C_11D0, 0, 26883, options);
        return new Traffic("server2$ ssh -i .ssh/key.pem user@server1", [(time, syn)], (_, replies) =>
            replies.Any(r => r.Length >= 22 && r[9] == 1 && r[20] == 3 && r[21] == 3)
                ? "ssh: connect to host server1 port 22: Connection refused"
                : replies.Count == 0
                    ? "ssh: connect to host server1 port 22: Connection timed out"
                    : "(server 1 answered)", FirstIdentifier: 41414);
    }

    // Linux ping: an 8-byte timestamp, then the bytes 0x10, 0x11, ... up to 56 bytes.
    private static byte[] PingPayload(DateTimeOffset time)
    {
        var payload = new byte[56];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)time.ToUnixTimeSeconds());
        for (int i = 8; i < payload.Length; i++)
        {
            payload[i] = (byte)(i + 8);
        }

        return payload;
    }
}
