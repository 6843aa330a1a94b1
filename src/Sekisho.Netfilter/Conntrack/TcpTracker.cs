using System.Buffers.Binary;
using Sekisho.Netfilter.Engine;

namespace Sekisho.Netfilter.Conntrack;

/// <summary>What a protocol tracker decided about a packet.</summary>
internal enum TrackVerdict : byte
{
    /// <summary>The packet belongs to the connection (<c>NF_ACCEPT</c>).</summary>
    Accept,

    /// <summary>The packet is invalid: it loses its connection and goes on (<c>-NF_ACCEPT</c>).</summary>
    Invalid,

    /// <summary>The connection was killed; look the packet up again (<c>-NF_REPEAT</c>).</summary>
    Repeat,

    /// <summary>The packet is dropped (<c>NF_DROP</c>).</summary>
    Drop,
}

/// <summary>TCP connection tracking: the state table and window tracking.</summary>
/// <remarks>
/// The kernel's <c>nf_conntrack_proto_tcp.c</c> at its default sysctls (<c>tcp_loose</c>=1, <c>be_liberal</c>=0,
/// <c>max_retrans</c>=3, <c>ignore_invalid_rst</c>=0): <c>tcp_error</c> (truncation, checksum at PREROUTING, flag
/// combinations), <c>tcp_new</c>, the <c>tcp_conntracks</c> transition table with its special cases (reopening
/// from TIME_WAIT, ignored SYNs and the SYN/ACK that resynchronises, RFC 5961 challenge ACKs, simultaneous open,
/// RST checks), <c>tcp_in_window</c> and the timeouts it chooses.
/// </remarks>
internal static class TcpTracker
{
    // IP_CT_TCP_FLAG_*
    public const byte FlagWindowScale = 0x01;
    public const byte FlagSackPermitted = 0x02;
    public const byte FlagCloseInit = 0x04;
    public const byte FlagBeLiberal = 0x08;
    public const byte FlagDataUnacknowledged = 0x10;
    public const byte FlagMaxAckSet = 0x20;
    public const byte FlagChallengeAck = 0x40;
    public const byte FlagSimultaneousOpen = 0x80;

    // enum tcp_bit_set
    public const byte SynSet = 0;
    public const byte SynAckSet = 1;
    public const byte FinSet = 2;
    public const byte AckSet = 3;
    public const byte RstSet = 4;
    public const byte NoneSet = 5;

    private const byte Fin = 0x01;
    private const byte Syn = 0x02;
    private const byte Rst = 0x04;
    private const byte Ack = 0x10;
    private const byte Urg = 0x20;
    private const uint MaxAckWindowConstant = 66000;
    private const byte MaxWindowScale = 14;

    private const TcpConntrackState sNO = TcpConntrackState.None;
    private const TcpConntrackState sSS = TcpConntrackState.SynSent;
    private const TcpConntrackState sSR = TcpConntrackState.SynRecv;
    private const TcpConntrackState sES = TcpConntrackState.Established;
    private const TcpConntrackState sFW = TcpConntrackState.FinWait;
    private const TcpConntrackState sCW = TcpConntrackState.CloseWait;
    private const TcpConntrackState sLA = TcpConntrackState.LastAck;
    private const TcpConntrackState sTW = TcpConntrackState.TimeWait;
    private const TcpConntrackState sCL = TcpConntrackState.Close;
    private const TcpConntrackState sS2 = TcpConntrackState.SynSent2;
    private const TcpConntrackState sIV = TcpConntrackState.Invalid;
    private const TcpConntrackState sIG = TcpConntrackState.Ignore;

    // tcp_conntracks[direction][flag set][old state], old states in the order NO SS SR ES FW CW LA TW CL S2.
    private static readonly TcpConntrackState[] s_transitions =
    [
        // original: syn, synack, fin, ack, rst, none
        sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2,
        sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR,
        sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
        sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV,
        sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
        sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,

        // reply: syn, synack, fin, ack, rst, none
        sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2,
        sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR,
        sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV,
        sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG,
        sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
        sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV,
    ];

    /// <summary>The timeouts in seconds by state (<c>tcp_timeouts</c>), then RETRANS and UNACK.</summary>
    private static readonly uint[] s_timeoutSeconds = [0, 120, 60, 432000, 120, 60, 30, 120, 10, 120, 0, 0, 300, 300];

    // tcp_valid_flags: the combinations of FIN, SYN, RST, ACK and URG that are allowed.
    private static readonly bool[] s_validFlags = BuildValidFlags();

    /// <summary>The timeout of a state (or of RETRANS, UNACK) in jiffies.</summary>
    public static uint Timeout(TcpConntrackState state) => s_timeoutSeconds[(int)state] * NetNamespace.Hz;

    /// <summary>The state a packet with a flag set moves a connection to (<c>tcp_conntracks</c>).</summary>
    public static TcpConntrackState Transition(CtDirection direction, int index, TcpConntrackState old) =>
        s_transitions[((int)direction * 6 + index) * 10 + (int)old];

    /// <summary><c>get_conntrack_index</c>.</summary>
    public static byte Index(byte flags)
    {
        if ((flags & Rst) != 0)
        {
            return RstSet;
        }

        if ((flags & Syn) != 0)
        {
            return (flags & Ack) != 0 ? SynAckSet : SynSet;
        }

        if ((flags & Fin) != 0)
        {
            return FinSet;
        }

        return (flags & Ack) != 0 ? AckSet : NoneSet;
    }

    /// <summary>
    /// <c>tcp_error</c>: whether the segment is broken (truncated header, bad checksum at PREROUTING, a flag
    /// combination no TCP sends). Broken segments are INVALID before any connection is looked at.
    /// </summary>
    public static bool IsBroken(ReadOnlySpan<byte> data, int dataoff, bool verifyChecksum)
    {
        int length = data.Length - dataoff;
        if (length < 20)
        {
            return true;
        }

        int doff = (data[dataoff + 12] >> 4) * 4;
        if (doff < 20 || length < doff)
        {
            return true;
        }

        if (verifyChecksum && !ConntrackTable.TransportChecksumOk(data, dataoff, 6))
        {
            return true;
        }

        byte flags = (byte)(data[dataoff + 13] & ~(0x40 | 0x80 | 0x08));
        return !s_validFlags[flags];
    }

    /// <summary>
    /// <c>nf_conntrack_tcp_packet</c> on a segment that passed <see cref="IsBroken"/>: the new-connection check,
    /// the state change, window tracking and the timeout.
    /// </summary>
    public static TrackVerdict Packet(ConntrackTable table, Connection ct, ReadOnlySpan<byte> data, int dataoff, CtDirection dir)
    {
        var th = data[dataoff..];
        byte flags = th[13];
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(th[4..]);
        uint ackSeq = BinaryPrimitives.ReadUInt32BigEndian(th[8..]);
        ushort window = BinaryPrimitives.ReadUInt16BigEndian(th[14..]);
        int doff = (th[12] >> 4) * 4;
        uint end = SegmentEnd(seq, data.Length, dataoff, doff, flags);

        if (!ct.IsConfirmed && !New(table, ct, data, dataoff, flags, end, window))
        {
            return TrackVerdict.Invalid;
        }

        ref var tcp = ref ct.Tcp;
        var oldState = tcp.State;
        int d = (int)dir;
        byte index = Index(flags);
        var newState = Transition(dir, index, oldState);
        bool skipWindow = false;

        switch (newState)
        {
            case TcpConntrackState.SynSent when oldState < TcpConntrackState.TimeWait:
                break;

            case TcpConntrackState.SynSent:
            case TcpConntrackState.Ignore:
                if (newState == TcpConntrackState.SynSent)
                {
                    if (((tcp.Flags0 | tcp.Flags1) & FlagCloseInit) != 0 || (tcp.LastDir == d && tcp.LastIndex == RstSet))
                    {
                        // Reopening a closed or aborted connection: the old entry goes, the packet is looked up again.
                        table.Kill(ct);
                        return TrackVerdict.Repeat;
                    }
                }

                if (index == SynAckSet && tcp.LastIndex == SynSet && tcp.LastDir != d && ackSeq == tcp.LastEnd)
                {
                    // This SYN/ACK answers a SYN we let through as ignored: both ends are in sync, we are not.
                    oldState = TcpConntrackState.SynSent;
                    newState = TcpConntrackState.SynRecv;
                    ref var last = ref Seen(ref tcp, tcp.LastDir);
                    last.End = tcp.LastEnd;
                    last.MaxEnd = tcp.LastEnd;
                    last.MaxWin = tcp.LastWin == 0 ? 1u : tcp.LastWin;
                    Scale(ref tcp, tcp.LastDir) = tcp.LastWscale;
                    tcp.LastFlags &= unchecked((byte)~FlagChallengeAck);
                    Flags(ref tcp, tcp.LastDir) = tcp.LastFlags;
                    ResetPeer(ref tcp, d);
                    break;
                }

                tcp.LastIndex = index;
                tcp.LastDir = (byte)d;
                tcp.LastSeq = seq;
                tcp.LastEnd = end;
                tcp.LastWin = window;
                if (index == SynSet && dir == CtDirection.Original)
                {
                    tcp.LastFlags = 0;
                    tcp.LastWscale = 0;
                    byte scale = 0;
                    byte seen = 0;
                    Options(data, dataoff, doff, ref scale, ref seen);
                    if ((seen & FlagWindowScale) != 0)
                    {
                        tcp.LastFlags |= FlagWindowScale;
                        tcp.LastWscale = scale;
                    }

                    if ((seen & FlagSackPermitted) != 0)
                    {
                        tcp.LastFlags |= FlagSackPermitted;
                    }

                    if (oldState == TcpConntrackState.LastAck)
                    {
                        tcp.LastFlags |= FlagChallengeAck;
                    }
                }

                if (oldState == TcpConntrackState.SynSent && index == AckSet && dir == CtDirection.Reply)
                {
                    tcp.LastAck = ackSeq;
                }

                return TrackVerdict.Accept;

            case TcpConntrackState.Invalid:
                return TrackVerdict.Invalid;

            case TcpConntrackState.TimeWait:
                if (oldState == TcpConntrackState.LastAck && index == AckSet && tcp.LastDir != d
                    && tcp.LastIndex == SynSet && (tcp.LastFlags & FlagChallengeAck) != 0)
                {
                    // An RFC 5961 challenge ACK does not acknowledge the last FIN.
                    tcp.LastFlags &= unchecked((byte)~FlagChallengeAck);
                    return TrackVerdict.Accept;
                }

                break;

            case TcpConntrackState.SynSent2:
                tcp.LastFlags |= FlagSimultaneousOpen;
                break;

            case TcpConntrackState.SynRecv:
                if (dir == CtDirection.Reply && index == AckSet && (tcp.LastFlags & FlagSimultaneousOpen) != 0)
                {
                    newState = TcpConntrackState.Established;
                }

                break;

            case TcpConntrackState.Close:
                if (index != RstSet)
                {
                    break;
                }

                if (CanEarlyDrop(tcp.State))
                {
                    skipWindow = true;
                    break;
                }

                if ((Flags(ref tcp, 1 - d) & FlagMaxAckSet) != 0 && tcp.LastIndex != SynSet)
                {
                    uint maxAck = Seen(ref tcp, 1 - d).MaxAck;
                    if (seq == 0 && !IsEstablished(ct))
                    {
                        break;
                    }

                    if (Before(seq, maxAck))
                    {
                        return TrackVerdict.Invalid;
                    }

                    if (!IsEstablished(ct) || seq == maxAck)
                    {
                        break;
                    }

                    if (tcp.LastIndex == AckSet && tcp.LastDir == d && seq == tcp.LastEnd)
                    {
                        break;
                    }

                    // The RST's sequence number is not exact: keep the state for a possible challenge ACK.
                    newState = oldState;
                }

                if ((((ct.Status & ConnectionStatus.SeenReply) != 0 && tcp.LastIndex == SynSet)
                        || ((ct.Status & ConnectionStatus.Assured) == 0 && tcp.LastIndex == AckSet))
                    && ackSeq == tcp.LastEnd)
                {
                    // An RST answering a SYN or ACK we let through: skip window checks.
                    skipWindow = true;
                    break;
                }

                if (oldState == TcpConntrackState.SynSent && tcp.LastIndex == AckSet && tcp.LastDir == 1
                    && seq == tcp.LastAck)
                {
                    skipWindow = true;
                }

                break;
        }

        if (!skipWindow)
        {
            switch (InWindow(table, ct, d, index, data, dataoff, doff, flags, seq, ackSeq, window, end))
            {
                case WindowResult.Ignore:
                    return TrackVerdict.Accept;
                case WindowResult.Invalid:
                    HandleInvalid(table, ct, d, index);
                    return TrackVerdict.Invalid;
            }
        }

        tcp.LastIndex = index;
        tcp.LastDir = (byte)d;
        tcp.State = newState;
        if (oldState != newState && newState == TcpConntrackState.FinWait)
        {
            Flags(ref tcp, d) |= FlagCloseInit;
        }

        uint timeout;
        if (tcp.Retrans >= table.TcpMaxRetrans && Timeout(newState) > Timeout(TcpConntrackState.Retrans))
        {
            timeout = Timeout(TcpConntrackState.Retrans);
        }
        else if (index == RstSet)
        {
            timeout = Timeout(TcpConntrackState.Close);
        }
        else if (((tcp.Flags0 | tcp.Flags1) & FlagDataUnacknowledged) != 0
            && Timeout(newState) > Timeout(TcpConntrackState.Unack))
        {
            timeout = Timeout(TcpConntrackState.Unack);
        }
        else if (tcp.LastWin == 0 && Timeout(newState) > Timeout(TcpConntrackState.Retrans))
        {
            timeout = Timeout(TcpConntrackState.Retrans);
        }
        else
        {
            timeout = Timeout(newState);
        }

        if ((ct.Status & ConnectionStatus.SeenReply) == 0)
        {
            if ((flags & Rst) != 0)
            {
                // The only answer was an RST: the entry goes at once.
                table.Kill(ct);
                return TrackVerdict.Accept;
            }

            if (index == SynSet && oldState == TcpConntrackState.SynSent)
            {
                // A retransmitted SYN does not renew the timeout.
                return TrackVerdict.Accept;
            }

            if (newState == TcpConntrackState.Established && timeout > Timeout(TcpConntrackState.Unack))
            {
                timeout = Timeout(TcpConntrackState.Unack);
            }
        }
        else if ((ct.Status & ConnectionStatus.Assured) == 0
            && oldState is TcpConntrackState.SynRecv or TcpConntrackState.Established
            && newState == TcpConntrackState.Established)
        {
            ct.Status |= ConnectionStatus.Assured;
        }

        table.Refresh(ct, timeout);
        return TrackVerdict.Accept;
    }

    /// <summary><c>nf_conntrack_tcp_established</c>.</summary>
    public static bool IsEstablished(Connection ct) =>
        ct.Tcp.State == TcpConntrackState.Established && (ct.Status & ConnectionStatus.Assured) != 0;

    /// <summary><c>tcp_can_early_drop</c>: a closing connection.</summary>
    public static bool CanEarlyDrop(TcpConntrackState state) =>
        state is TcpConntrackState.FinWait or TcpConntrackState.LastAck or TcpConntrackState.TimeWait
            or TcpConntrackState.Close or TcpConntrackState.CloseWait;

    // tcp_new: the first segment of a connection; false when it cannot start one.
    private static bool New(ConntrackTable table, Connection ct, ReadOnlySpan<byte> data, int dataoff, byte flags, uint end, ushort window)
    {
        var state = Transition(CtDirection.Original, Index(flags), TcpConntrackState.None);
        if (state >= TcpConntrackState.Invalid)
        {
            return false;
        }

        int doff = (data[dataoff + 12] >> 4) * 4;
        ct.Tcp = default;
        ref var tcp = ref ct.Tcp;
        if (state == TcpConntrackState.SynSent)
        {
            tcp.Seen0.End = end;
            tcp.Seen0.MaxWin = window == 0 ? 1u : window;
            tcp.Seen0.MaxEnd = end;
            Options(data, dataoff, doff, ref tcp.Scale0, ref tcp.Flags0);
        }
        else if (!table.TcpLoose)
        {
            return false;
        }
        else
        {
            // Picked up in the middle: the history is lost, the packet's data has to do.
            tcp.Seen0.End = end;
            tcp.Seen0.MaxWin = window == 0 ? 1u : window;
            tcp.Seen0.MaxEnd = end + tcp.Seen0.MaxWin;
            tcp.Flags0 = tcp.Flags1 = FlagSackPermitted | FlagBeLiberal;
        }

        tcp.LastIndex = NoneSet;
        return true;
    }

    private enum WindowResult : byte
    {
        Ignore,
        Invalid,
        Accept,
    }

    // tcp_in_window
    private static WindowResult InWindow(ConntrackTable table, Connection ct, int dir, byte index, ReadOnlySpan<byte> data,
        int dataoff, int doff, byte flags, uint seq, uint ackSeq, ushort windowRaw, uint end)
    {
        ref var tcp = ref ct.Tcp;
        ref var sender = ref Seen(ref tcp, dir);
        ref var receiver = ref Seen(ref tcp, 1 - dir);
        ref byte senderFlags = ref Flags(ref tcp, dir);
        ref byte receiverFlags = ref Flags(ref tcp, 1 - dir);
        ref byte senderScale = ref Scale(ref tcp, dir);
        uint ack = ackSeq;
        uint sack = ackSeq;
        uint win = windowRaw;
        bool syn = (flags & Syn) != 0;
        bool hasAck = (flags & Ack) != 0;

        if ((receiverFlags & FlagSackPermitted) != 0)
        {
            Sack(data, dataoff, doff, ref sack);
        }

        if (sender.MaxWin == 0)
        {
            if (syn)
            {
                InitSender(ref tcp, dir, data, dataoff, doff, end, win);
                if (!hasAck)
                {
                    // Simultaneous open.
                    return WindowResult.Accept;
                }
            }
            else
            {
                sender.End = end;
                uint swin = win << senderScale;
                sender.MaxWin = swin == 0 ? 1 : swin;
                sender.MaxEnd = end + sender.MaxWin;
                if (receiver.MaxWin == 0)
                {
                    receiver.End = receiver.MaxEnd = sack;
                }
                else if (sack == receiver.End + 1)
                {
                    receiver.End++;
                }
            }
        }
        else if (syn && After(end, sender.End) && tcp.State is TcpConntrackState.SynSent or TcpConntrackState.SynRecv)
        {
            // A reinitialised sender (RFC 793): start over for this direction.
            InitSender(ref tcp, dir, data, dataoff, doff, end, win);
            if (dir == 1 && !hasAck)
            {
                return WindowResult.Accept;
            }
        }

        if (!hasAck)
        {
            ack = sack = receiver.End;
        }
        else if ((flags & (Ack | Rst)) == (Ack | Rst) && ack == 0)
        {
            // Broken stacks send RST with ACK set and a zero acknowledgment.
            ack = sack = receiver.End;
        }

        if ((flags & Rst) != 0 && seq == 0 && tcp.State == TcpConntrackState.SynSent)
        {
            // An RST answering a SYN.
            seq = end = sender.End;
        }

        bool liberal = (senderFlags & FlagBeLiberal) != 0 || table.TcpBeLiberal;
        uint maxAckWindow = sender.MaxWin > MaxAckWindowConstant ? sender.MaxWin : MaxAckWindowConstant;
        if (!Before(seq, sender.MaxEnd + 1))
        {
            uint overshot = end - sender.MaxEnd + 1;
            bool ackOk = After(sack, receiver.End - maxAckWindow - 1);
            bool inReceiveWindow = receiver.MaxWin != 0 && After(end, sender.End - receiver.MaxWin - 1);
            if (inReceiveWindow && ackOk && overshot <= receiver.MaxWin && Before(sack, receiver.End + 1))
            {
                // More data than the window allows: remember it, so that its ACK is not over the upper bound later.
                sender.End = end;
                senderFlags |= FlagDataUnacknowledged;
                return liberal ? WindowResult.Accept : WindowResult.Ignore;
            }

            return liberal ? WindowResult.Accept : WindowResult.Invalid;
        }

        if (!Before(sack, receiver.End + 1))
        {
            return liberal ? WindowResult.Accept : WindowResult.Invalid;
        }

        if (receiver.MaxWin != 0 && !After(end, sender.End - receiver.MaxWin - 1))
        {
            return liberal ? WindowResult.Accept : WindowResult.Ignore;
        }

        if (!After(sack, receiver.End - maxAckWindow - 1))
        {
            return liberal ? WindowResult.Accept : WindowResult.Ignore;
        }

        if (!syn)
        {
            win <<= senderScale;
        }

        uint senderWindow = win + (sack - ack);
        if (sender.MaxWin < senderWindow)
        {
            sender.MaxWin = senderWindow;
        }

        if (After(end, sender.End))
        {
            sender.End = end;
            senderFlags |= FlagDataUnacknowledged;
        }

        if (hasAck)
        {
            if ((senderFlags & FlagMaxAckSet) == 0)
            {
                sender.MaxAck = ack;
                senderFlags |= FlagMaxAckSet;
            }
            else if (After(ack, sender.MaxAck))
            {
                sender.MaxAck = ack;
            }
        }

        if (receiver.MaxWin != 0 && After(end, sender.MaxEnd))
        {
            receiver.MaxWin += end - sender.MaxEnd;
        }

        if (After(sack + win, receiver.MaxEnd - 1))
        {
            receiver.MaxEnd = sack + win;
            if (win == 0)
            {
                receiver.MaxEnd++;
            }
        }

        if (ack == receiver.End)
        {
            receiverFlags &= unchecked((byte)~FlagDataUnacknowledged);
        }

        if (index == AckSet)
        {
            if (tcp.LastDir == dir && tcp.LastSeq == seq && tcp.LastAck == ack && tcp.LastEnd == end && tcp.LastWin == windowRaw)
            {
                tcp.Retrans++;
            }
            else
            {
                tcp.LastDir = (byte)dir;
                tcp.LastSeq = seq;
                tcp.LastAck = ack;
                tcp.LastEnd = end;
                tcp.LastWin = windowRaw;
                tcp.Retrans = 0;
            }
        }

        return WindowResult.Accept;
    }

    // nf_tcp_handle_invalid: an out-of-window FIN or RST answering one from the other side shortens the timeout
    // of an assured connection.
    private static void HandleInvalid(ConntrackTable table, Connection ct, int dir, byte index)
    {
        if ((ct.Status & ConnectionStatus.Assured) == 0 || (ct.Status & ConnectionStatus.FixedTimeout) != 0)
        {
            return;
        }

        if (index is not (RstSet or FinSet))
        {
            return;
        }

        ref var tcp = ref ct.Tcp;
        if (tcp.LastDir != dir && tcp.LastIndex is FinSet or RstSet)
        {
            uint expires = ct.ExpiresIn(table.Now32);
            if (expires < 120 * NetNamespace.Hz)
            {
                return;
            }

            uint timeout = Timeout(TcpConntrackState.Unack);
            if (expires > timeout)
            {
                ct.Timeout = timeout + table.Now32;
            }
        }
        else
        {
            tcp.LastIndex = index;
            tcp.LastDir = (byte)dir;
        }
    }

    // tcp_init_sender: a SYN/ACK answering a SYN, or a SYN from the reply side in a simultaneous open.
    private static void InitSender(ref TcpTrack tcp, int dir, ReadOnlySpan<byte> data, int dataoff, int doff, uint end, uint win)
    {
        ref var sender = ref Seen(ref tcp, dir);
        sender.End = sender.MaxEnd = end;
        sender.MaxWin = win == 0 ? 1 : win;
        Options(data, dataoff, doff, ref Scale(ref tcp, dir), ref Flags(ref tcp, dir));
        if (dir == 1 && !((Flags(ref tcp, dir) & FlagWindowScale) != 0 && (Flags(ref tcp, 1 - dir) & FlagWindowScale) != 0))
        {
            // Window scaling needs both sides' option (RFC 1323).
            tcp.Scale0 = 0;
            tcp.Scale1 = 0;
        }
    }

    private static void ResetPeer(ref TcpTrack tcp, int dir)
    {
        Seen(ref tcp, dir) = default;
        Scale(ref tcp, dir) = 0;
        Flags(ref tcp, dir) &= FlagBeLiberal;
    }

    // tcp_options: window scale and SACK permitted.
    private static void Options(ReadOnlySpan<byte> data, int dataoff, int doff, ref byte scale, ref byte flags)
    {
        int length = doff - 20;
        if (length <= 0 || dataoff + doff > data.Length)
        {
            return;
        }

        var options = data.Slice(dataoff + 20, length);
        scale = 0;
        flags &= FlagBeLiberal;
        int i = 0;
        while (NextOption(options, ref i, out byte opcode, out var value))
        {
            if (opcode == 4 && value.Length == 0)
            {
                flags |= FlagSackPermitted;
            }
            else if (opcode == 3 && value.Length == 1)
            {
                scale = Math.Min(value[0], MaxWindowScale);
                flags |= FlagWindowScale;
            }
        }
    }

    // tcp_sack: the highest right edge of the SACK blocks.
    private static void Sack(ReadOnlySpan<byte> data, int dataoff, int doff, ref uint sack)
    {
        int length = doff - 20;
        if (length <= 0 || dataoff + doff > data.Length)
        {
            return;
        }

        var options = data.Slice(dataoff + 20, length);
        if (length == 12 && BinaryPrimitives.ReadUInt32BigEndian(options) == 0x0101080A)
        {
            return;
        }

        int i = 0;
        while (NextOption(options, ref i, out byte opcode, out var value))
        {
            if (opcode == 5 && value.Length >= 8 && value.Length % 8 == 0)
            {
                for (int block = 0; block < value.Length; block += 8)
                {
                    uint right = BinaryPrimitives.ReadUInt32BigEndian(value[(block + 4)..]);
                    if (After(right, sack))
                    {
                        sack = right;
                    }
                }

                return;
            }
        }
    }

    // The walk tcp_options and tcp_sack share: the next option at i (NOPs skipped) with its value after kind and
    // length; false at the end, at EOL, or at a length that is below 2 or runs past the options.
    private static bool NextOption(ReadOnlySpan<byte> options, ref int i, out byte opcode, out ReadOnlySpan<byte> value)
    {
        while (i < options.Length)
        {
            int start = i;
            opcode = options[i++];
            if (opcode == 0)
            {
                break;
            }

            if (opcode == 1)
            {
                continue;
            }

            int remaining = options.Length - start;
            if (remaining < 2)
            {
                break;
            }

            int size = options[i++];
            if (size < 2 || size > remaining)
            {
                break;
            }

            value = options.Slice(i, size - 2);
            i = start + size;
            return true;
        }

        opcode = 0;
        value = default;
        return false;
    }

    private static uint SegmentEnd(uint seq, int length, int dataoff, int doff, byte flags) =>
        (uint)(seq + length - dataoff - doff + ((flags & Syn) != 0 ? 1 : 0) + ((flags & Fin) != 0 ? 1 : 0));

    private static bool Before(uint a, uint b) => (int)(a - b) < 0;

    private static bool After(uint a, uint b) => (int)(b - a) < 0;

    private static ref TcpPeer Seen(ref TcpTrack tcp, int dir) => ref dir == 0 ? ref tcp.Seen0 : ref tcp.Seen1;

    private static ref byte Flags(ref TcpTrack tcp, int dir) => ref dir == 0 ? ref tcp.Flags0 : ref tcp.Flags1;

    private static ref byte Scale(ref TcpTrack tcp, int dir) => ref dir == 0 ? ref tcp.Scale0 : ref tcp.Scale1;

    private static bool[] BuildValidFlags()
    {
        var valid = new bool[64];
        foreach (int combination in new[]
        {
            Syn, Syn | Urg, Syn | Ack, Rst, Rst | Ack, Fin | Ack, Fin | Ack | Urg, Ack, Ack | Urg,
        })
        {
            valid[combination] = true;
        }

        return valid;
    }
}
