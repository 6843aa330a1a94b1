#!/usr/bin/env bash
# Throughput and latency through a router namespace: the kernel forwarding with no rules, then Sekisho's daemon
# forwarding the same traffic (with the given rules file, default none), in the same run.
#   benchmarks/live/throughput.sh [MEGABYTES] [RULES_FILE]
# Needs root, iproute2, netcat-openbsd, ping. Everything happens in namespaces created here and deleted at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
megabytes="${1:-400}"
rules="${2:-/nonexistent}"
sekisho="${SEKISHO_BIN:-$root/src/Sekisho.Cli/bin/Release/net10.0/sekisho}"
[[ -x "$sekisho" ]] || dotnet build "$root/src/Sekisho.Cli" -c Release -nologo -v quiet >/dev/null
s=$$
c=bc$s; r=br$s; e=be$s
run=$(mktemp -d); state=$(mktemp -d)
cleanup() {
    [[ -n "${daemon:-}" ]] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null || true
    SEKISHO_RUN_DIR=$run nsenter --net=/run/netns/$r "$sekisho" daemon --cleanup >/dev/null 2>&1 || true
    for ns in $c $r $e; do ip netns del $ns 2>/dev/null || true; done
    rm -rf "$run" "$state"
}
trap cleanup EXIT
for ns in $c $r $e; do ip netns add $ns; ip -n $ns link set lo up; done
ip link add bl$s netns $c type veth peer name lan netns $r
ip link add bw$s netns $e type veth peer name wan netns $r
ip -n $c link set bl$s name eth0; ip -n $e link set bw$s name eth0
ip -n $c addr add 10.0.2.2/24 dev eth0; ip -n $c link set eth0 up; ip -n $c route add default via 10.0.2.1
ip -n $e addr add 203.0.113.7/24 dev eth0; ip -n $e link set eth0 up; ip -n $e route add default via 203.0.113.1
ip -n $r addr add 10.0.2.1/24 dev lan; ip -n $r link set lan up
ip -n $r addr add 203.0.113.1/24 dev wan; ip -n $r link set wan up
ip netns exec $r sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'

# The daemon's CPU time in clock ticks (user + system, all threads: the kernel's work in its send and receive calls
# included); 0 while no daemon runs.
cpu() { if [[ -n "${daemon:-}" ]]; then awk '{ print $14 + $15 }' /proc/$daemon/stat; else echo 0; fi; }
ticks=$(getconf CLK_TCK)

measure() {
    ip netns exec $e sh -c 'nc -l 9000 >/dev/null' &
    local listener=$!
    while ! ip netns exec $e ss -Hltn 'sport = :9000' | grep -q LISTEN; do sleep 0.05; done
    local start end cpu0 cpu1 cpu2 cpu3
    cpu0=$(cpu)
    start=$(date +%s.%N)
    ip netns exec $c sh -c "dd if=/dev/zero bs=64k count=$((megabytes * 16)) status=none | nc -N 203.0.113.7 9000"
    wait $listener
    end=$(date +%s.%N)
    cpu1=$(cpu)
    local rtt flood
    rtt=$(ip netns exec $c ping -q -c 200 -i 0.005 203.0.113.7 | awk -F/ '/rtt/ { print $5 }')
    # Small packets: 100,000 echo requests and their replies, 32 in flight; both cross the router.
    cpu3=$(cpu)
    flood=$(ip netns exec $c ping -q -f -l 32 -c 100000 203.0.113.7 | awk '/transmitted/ { for (i = 1; i <= NF; i++) if ($i == "time") { sub("ms", "", $(i + 1)); print $(i + 1) } }')
    cpu2=$(cpu)
    awk -v mb="$megabytes" -v s="$start" -v e="$end" -v rtt="$rtt" -v who="$1" -v flood="$flood" \
        'BEGIN { t = e - s; printf "%-30s TCP %5.2f Gbit/s   84-byte ICMP %7.0f packets/s   ping rtt %s ms\n", who, mb * 8 * 1048576 / t / 1e9, 200000 / (flood / 1000), rtt }'
    if [[ -n "${daemon:-}" ]]; then
        awk -v mb="$megabytes" -v tcp=$((cpu1 - cpu0)) -v icmp=$((cpu2 - cpu3)) -v hz="$ticks" \
            'BEGIN { printf "%-30s CPU %.2f s per GB of TCP, %.1f us per ICMP packet\n", "  daemon CPU time", tcp / hz / (mb / 1024), icmp / hz / 200000 * 1e6 }'
    fi
}

measure "kernel forwarding, no rules"
SEKISHO_RUN_DIR=$run SEKISHO_STATE_DIR=$state nsenter --net=/run/netns/$r "$sekisho" daemon -i lan -i wan --rules "$rules" 2>"$run/daemon.log" &
daemon=$!
while ! grep -q filtering "$run/daemon.log" 2>/dev/null; do sleep 0.1; done
measure "sekisho daemon forwarding"

kill -TERM $daemon; wait $daemon || true
daemon=
grep -h "stopped" "$run/daemon.log" || true
