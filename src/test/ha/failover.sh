#!/usr/bin/env bash
# Failover of an active/standby lnm pair with real keepalived, in network namespaces built here:
#
#   client ─┐                        ┌─ box1: lnm + keepalived (plant0 10.77.0.11, wan0 10.78.0.11)
#   rogue ──┼─ plant bridge (VIP) ───┤
#           │                        └─ box2: lnm + keepalived (plant0 10.77.0.12, wan0 10.78.0.12)
#   upstream (10.78.0.50, echo) ─ outside bridge ─ both boxes' wan0
#
# Each box runs lnm (a tcp listener on :8443 forwarding to the upstream's echo port, admin on
# 127.0.0.1:9090), keepalived from appliance/keepalived.conf (the shipped template, filled in as
# install.sh --ha --peer does: unicast VRRP to the other box) with appliance/lnm-readyz as its
# track script (given a PID file, as lnm here is not run by systemd), and the shipped nftables
# ruleset (VRRP accepted on plant0 from the other box only). First a plant host that is not in
# the pair (rogue, 10.77.0.66) sends priority-255 advertisements for the pair's router id to the
# VRRP multicast group, both boxes and the VIP (src/test/ha/vrrp-advert.py): the VIP must stay
# where it is, with no address event on either box, and the boxes' rulesets must have dropped
# them. Then the client makes a new connection through the VIP
# every 100 ms (connect bounded by 1 s, echo by 2 s) while the script
#   1. kill -9's lnm on the box holding the VIP, and another process (src/test/ha/admin-impostor.py)
#      takes lnm's admin port there and answers 200 with its own PID: the VIP must move anyway,
#   2. takes the link of the box holding the VIP down (its bridge port),
#   3. sends SIGTERM to lnm on the box holding the VIP (planned switchover) with 5 long
#      connections open,
# and prints for each: when the VIP moved, when new connections succeeded again, how the ones
# in between failed and how long the slowest took, and whether every connection that succeeded
# has its audit record on exactly one box. Exits non-zero when the VIP took longer than 5 s to
# move (6.5 s after link down: the backup waits three silent advertisement intervals plus its
# skew, about 3.4 s, before it takes over), a connection hung (took longer than its bounds), new connections did not come back, or
# an audit record is missing or doubled.
#
#   src/test/ha/failover.sh        (make ha-test: builds the jar and test classes first)
# Needs root, iproute2, keepalived, java, python3; nft is used when present.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
JAR=$repo/target/lnm.jar
CP=$repo/target/test-classes
JAVA=${JAVA:-java}
JOPTS=(-Xmx96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto)
[ "$(id -u)" -eq 0 ] || { echo "failover.sh: needs root (network namespaces)" >&2; exit 2; }
for t in ip keepalived python3 "$JAVA"; do command -v "$t" >/dev/null || { echo "failover.sh: $t missing" >&2; exit 2; }; done
[ -f "$JAR" ] && [ -f "$CP/lnm/ha/HaClient.class" ] || { echo "failover.sh: build first (make ha-test does)" >&2; exit 2; }

P=lha$$                  # unique prefix: namespaces and the switch-side interface names
NS_SW=$P-sw NS_C=$P-c NS_UP=$P-up NS_X=$P-x
ROGUE=10.77.0.66
VIP=10.77.0.5
PORT=8443
# a root-owned folder nobody else can write: keepalived's script security checks every parent
work=$(mktemp -d /run/lnm-ha.XXXXXX)
pids=()
lnm_pid=("" "" "")
fail=0

log() { echo "failover: $*" >&2; }
now_ms() { date +%s%3N; }

cleanup() {
  set +e
  for p in "${pids[@]}" "${lnm_pid[@]}"; do [ -z "$p" ] || kill -9 "$p" 2>/dev/null; done
  for b in 1 2; do
    for f in k v c; do [ ! -f "$work/b$b/$f.pid" ] || kill -9 "$(cat "$work/b$b/$f.pid")" 2>/dev/null; done
  done
  sleep 0.2
  for n in "$NS_SW" "$NS_C" "$NS_UP" "$NS_X" "$P-b1" "$P-b2"; do ip netns del "$n" 2>/dev/null; done
  if [ -n "${KEEP:-}" ]; then log "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# until SECONDS CMD...: runs CMD every 50 ms until it succeeds; fails after SECONDS
until_ok() {
  local limit=$1 i; shift
  for ((i = 0; i < limit * 20; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  return 1
}
has_vip() { ip -n "$P-b$1" -4 addr show dev plant0 | grep -q "inet $VIP/"; }
holder() { if has_vip 1; then echo 1; elif has_vip 2; then echo 2; else echo 0; fi; }
ready() { ip netns exec "$P-b$1" "$repo/appliance/lnm-readyz" 9090 "$work/b$1/lnm.pid"; }

# --- network ---------------------------------------------------------------------------------
for n in "$NS_SW" "$NS_C" "$NS_UP" "$NS_X" "$P-b1" "$P-b2"; do
  ip netns add "$n"
  ip -n "$n" link set lo up
done
for br in brplant brout; do
  ip -n "$NS_SW" link add "$br" type bridge
  ip -n "$NS_SW" link set "$br" up
done
# plug NS IF into bridge BR as switch port SWPORT, with address ADDR
plug() {
  local ns=$1 ifname=$2 br=$3 swport=$4 addr=$5
  ip -n "$NS_SW" link add "$swport" type veth peer name "$ifname" netns "$ns"
  ip -n "$NS_SW" link set "$swport" master "$br" up
  ip -n "$ns" addr add "$addr" dev "$ifname"
  ip -n "$ns" link set "$ifname" up
}
plug "$NS_C" eth0 brplant "${P}pc" 10.77.0.100/24
plug "$NS_X" eth0 brplant "${P}px" "$ROGUE/24"
plug "$NS_UP" eth0 brout "${P}ou" 10.78.0.50/24
for b in 1 2; do
  plug "$P-b$b" plant0 brplant "${P}p$b" "10.77.0.1$b/24"
  plug "$P-b$b" wan0 brout "${P}o$b" "10.78.0.1$b/24"
done

# --- the boxes -------------------------------------------------------------------------------
install -d -m 0755 "$work/share/appliance"
install -m 0755 "$repo/appliance/lnm-readyz" "$work/share/appliance/lnm-readyz"
for b in 1 2; do
  d=$work/b$b
  mkdir -p "$d"
  : >"$d/allowlist.properties"
  cat >"$d/lnm.properties" <<EOF
level = 4
listen.plant = 0.0.0.0:$PORT
listen.plant.mode = tcp
listen.plant.target = 10.78.0.50:7000
admin.listen = 127.0.0.1:9090
audit.file = $d/audit.jsonl
shutdown.drainSeconds = 8
EOF
  role=$([ "$b" = 1 ] && echo primary || echo backup)
  sed -e "s|@ROLE@|$role|g" -e "s|@PREFIX@|$work|g" -e "s|@ADMIN_PORT@|9090|g" -e "s|@HA_IF@|plant0|g" \
    -e "s|@VRID@|51|g" -e "s|@VIP@|$VIP/24|g" -e "s|@PRIORITY@|$([ "$b" = 1 ] && echo 150 || echo 100)|g" \
    -e "s|@HA_SRC@|10.77.0.1$b|g" -e "s|@PEER@|10.77.0.1$((3 - b))|g" \
    -e "s|lnm-readyz 9090\"|lnm-readyz 9090 $d/lnm.pid\"|" \
    "$repo/appliance/keepalived.conf" >"$d/keepalived.conf"
  grep -q "lnm-readyz 9090 $d/lnm.pid\"" "$d/keepalived.conf" || { log "the track script line of keepalived.conf changed"; exit 1; }
  if command -v nft >/dev/null; then
    sed -e 's|^define plant_if = .*|define plant_if = "plant0"|' -e 's|^define outside_if = .*|define outside_if = "wan0"|' \
      -e 's|^define ha_if = .*|define ha_if = "plant0"|' -e "s|^define lnm_ports = .*|define lnm_ports = { $PORT }|" \
      -e "s|^define ha_peer = .*|define ha_peer = 10.77.0.1$((3 - b))|" \
      "$repo/appliance/nftables.conf" >"$d/nftables.conf"
    ip netns exec "$P-b$b" nft -f "$d/nftables.conf"
  fi
done

start_lnm() {
  local b=$1
  ip netns exec "$P-b$b" "$JAVA" "${JOPTS[@]}" -jar "$JAR" run --config "$work/b$b/lnm.properties" \
    >>"$work/b$b/lnm.log" 2>&1 &
  lnm_pid[$b]=$!
  echo "${lnm_pid[$b]}" >"$work/b$b/lnm.pid"
  until_ok 60 ready "$b" || { log "lnm on box$b did not become ready"; tail -20 "$work/b$b/lnm.log" >&2; exit 1; }
}
start_keepalived() {
  local b=$1 d=$work/b$1
  ip netns exec "$P-b$b" keepalived -n -l -D -G -P -f "$d/keepalived.conf" -p "$d/k.pid" -r "$d/v.pid" -c "$d/c.pid" \
    >>"$d/keepalived.log" 2>&1 &
  pids+=($!)
}

ip netns exec "$NS_UP" "$JAVA" "${JOPTS[@]}" -cp "$CP" lnm.ha.HaClient echo 7000 >"$work/echo.log" 2>&1 &
pids+=($!)
start_lnm 1
start_lnm 2
start_keepalived 1
until_ok 30 has_vip 1 || { log "box1 never took the VIP"; cat "$work/b1/keepalived.log" >&2; exit 1; }
start_keepalived 2
sleep 3 # box2 settles as backup

# --- one measurement -------------------------------------------------------------------------
# probe SECONDS OUT: a new connection through the VIP every 100 ms, in the background
probe() {
  ip netns exec "$NS_C" "$JAVA" "${JOPTS[@]}" -cp "$CP" lnm.ha.HaClient probe "$VIP" "$PORT" "$1" 100 "$2" &
  probe_pid=$!
}

# report NAME T0 VIP_MS PROBE_FILE BOUND_MS: prints the line for the README and checks the bounds
report() {
  local name=$1 t0=$2 vip_ms=$3 f=$4 bound=$5
  # recovered: start of the first ok attempt after the last failed one (relative to t0)
  read -r fails kinds slowest recovered total < <(awk -v t0="$t0" '
    $1 >= t0 { total++; if ($2 != "ok") { fails++; kinds[$2]++; if ($3 > slow) slow = $3; lastfail = NR } }
    { line[NR] = $0; st[NR] = $1; res[NR] = $2 }
    END {
      rec = -1
      for (i = lastfail + 1; i <= NR; i++) if (st[i] >= t0 && res[i] == "ok") { rec = st[i] - t0; break }
      if (lastfail == 0) rec = 0
      k = ""; for (x in kinds) k = k (k == "" ? "" : ",") x "=" kinds[x]
      printf "%d %s %d %d %d\n", fails, (k == "" ? "-" : k), slow, rec, total
    }' "$f")
  local worst
  worst=$(awk '{ if ($3 > m) m = $3 } END { print m + 0 }' "$f")
  printf '%-26s VIP moved after %5d ms; new connections ok again after %5d ms; %3d of %4d attempts failed (%s), slowest failure %d ms\n' \
    "$name:" "$vip_ms" "$recovered" "$fails" "$total" "$kinds" "$slowest"
  if [ "$vip_ms" -lt 0 ] || [ "$vip_ms" -gt "$bound" ]; then log "FAIL $name: VIP did not move within $bound ms"; fail=1; fi
  if [ "$recovered" -lt 0 ]; then log "FAIL $name: new connections never succeeded again"; fail=1; fi
  # bounded by the client: connect 1 s + echo 2 s; more means an attempt hung past its bounds
  if [ "$worst" -gt 3500 ]; then log "FAIL $name: an attempt took $worst ms"; fail=1; fi
}

# watch_vip B: records box B's address events with kernel-side timestamps (ip -ts monitor),
# so the time the VIP arrived does not depend on how fast this script polls
watch_vip() {
  ip -ts -n "$P-b$1" monitor address >"$work/mon-$1.txt" 2>/dev/null &
  mon_pid=$!
  sleep 0.2
}
# vip_moved_to B T0: waits until box B holds the VIP; prints ms from T0 to the event (-1 after 15 s)
vip_moved_to() {
  local b=$1 t0=$2 ts
  if ! until_ok 15 has_vip "$b"; then kill "$mon_pid" 2>/dev/null; echo -1; return; fi
  sleep 0.1
  kill "$mon_pid" 2>/dev/null
  ts=$(grep -v Deleted "$work/mon-$b.txt" | grep -m1 "inet $VIP/" | sed -n 's/^\[\([^]]*\)\].*/\1/p')
  if [ -n "$ts" ]; then echo $(($(date -d "$ts" +%s%3N) - t0)); else echo $(($(now_ms) - t0)); fi
}

results=()

# 0. a plant host that is not in the pair sends priority-255 advertisements for the pair's router
# id, naming the VIP, to the VRRP group, to both boxes and to the VIP: 40 rounds 100 ms apart,
# more than three advertisement intervals (a master accepting one would give the VIP up at once;
# a backup hearing only those would never take it). Nothing may change: no address event on
# either box, no keepalived state change, the same holder; with nft, both boxes' rulesets must
# have dropped them (so they did arrive).
m=$(holder)
[ "$m" != 0 ] || { log "FAIL nobody holds the VIP before the rogue advertisements"; exit 1; }
vrrp_dropped() {
  ip netns exec "$P-b$1" nft list chain inet lnm input 2>/dev/null |
    sed -n 's/.*counter packets \([0-9]*\) bytes .*comment "VRRP from anyone else".*/\1/p'
}
states() { cat "$work/b1/keepalived.log" "$work/b2/keepalived.log" | grep -c "Entering" || true; }
for b in 1 2; do
  ip -ts -n "$P-b$b" monitor address >"$work/mon-rogue-$b.txt" 2>/dev/null &
  pids+=($!)
done
sleep 0.2
states0=$(states)
sent=$(ip netns exec "$NS_X" python3 "$repo/src/test/ha/vrrp-advert.py" "$ROGUE" 51 255 "$VIP" 40 100 \
  224.0.0.18 10.77.0.11 10.77.0.12 "$VIP") || { log "FAIL vrrp-advert.py"; exit 1; }
sleep 1 # an accepted advertisement acts at once; this is time for the last ones to be handled
kill "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
events=$(cat "$work/mon-rogue-1.txt" "$work/mon-rogue-2.txt" | grep -c "inet $VIP/" || true)
changes=$(($(states) - states0))
after=$(holder)
dropped="not checked (no nft)"
if command -v nft >/dev/null; then
  d1=$(vrrp_dropped 1) d2=$(vrrp_dropped 2)
  dropped="box1 ${d1:-?}, box2 ${d2:-?}"
  if ! [ "${d1:-0}" -gt 0 ] || ! [ "${d2:-0}" -gt 0 ]; then log "FAIL rogue: the rulesets dropped no VRRP ($dropped)"; fail=1; fi
fi
results+=("$(printf '%-26s %d sent (VRRP group, both boxes, the VIP); VIP on box%d before, box%d after; %d VIP address events, %d keepalived state changes; dropped by nftables: %s' \
  "rogue priority-255 VRRP:" "${sent:-0}" "$m" "$after" "$events" "$changes" "$dropped")")
if [ "$after" != "$m" ] || [ "$events" -ne 0 ] || [ "$changes" -ne 0 ]; then
  log "FAIL rogue: the VIP or a box's state changed"
  cat "$work/mon-rogue-1.txt" "$work/mon-rogue-2.txt" >&2
  fail=1
fi

# 1. kill -9 of lnm on the box holding the VIP; another process takes lnm's admin port there at
# once and answers /readyz with 200 and its own PID: the track script must not trust it
m=$(holder); o=$((3 - m))
probe 14 "$work/probe-kill.txt"
watch_vip "$o"
sleep 3
t0=$(now_ms)
kill -9 "${lnm_pid[$m]}"
kill_t0=$t0
lnm_pid[$m]=""
ip netns exec "$P-b$m" python3 "$repo/src/test/ha/admin-impostor.py" 9090 15 >>"$work/impostor.log" 2>&1 &
imp_pid=$!
until_ok 5 ip netns exec "$P-b$m" bash -c 'exec 3<>/dev/tcp/127.0.0.1/9090' ||
  { log "FAIL the impostor did not take the admin port"; fail=1; }
vip=$(vip_moved_to "$o" "$t0")
wait "$probe_pid"
results+=("$(report "kill -9 of lnm (box$m)" "$t0" "$vip" "$work/probe-kill.txt" 5000)")
kill "$imp_pid" 2>/dev/null || true
wait "$imp_pid" 2>/dev/null || true
start_lnm "$m" # back as the standby (no preemption: the VIP stays)

# 2. link down of the box holding the VIP
m=$(holder); o=$((3 - m))
probe 14 "$work/probe-link.txt"
watch_vip "$o"
sleep 3
t0=$(now_ms)
ip -n "$NS_SW" link set "${P}p$m" down
vip=$(vip_moved_to "$o" "$t0")
wait "$probe_pid"
results+=("$(report "link down (box$m)" "$t0" "$vip" "$work/probe-link.txt" 6500)")
ip -n "$NS_SW" link set "${P}p$m" up
until_ok 15 bash -c "! ip -n $P-b$m -4 addr show dev plant0 | grep -q 'inet $VIP/'" || true
sleep 3

# 3. planned switchover: SIGTERM with live connections
m=$(holder); o=$((3 - m))
ip netns exec "$NS_C" "$JAVA" "${JOPTS[@]}" -cp "$CP" lnm.ha.HaClient hold "$VIP" "$PORT" 5 8 "$work/hold.txt" &
hold_pid=$!
probe 14 "$work/probe-term.txt"
until_ok 30 test -f "$work/hold.txt.ready" || log "the live connections did not connect in time"
watch_vip "$o"
sleep 1
t0=$(now_ms)
kill -TERM "${lnm_pid[$m]}"
vip=$(vip_moved_to "$o" "$t0")
wait "$probe_pid"
wait "$hold_pid" || true
results+=("$(report "SIGTERM of lnm (box$m)" "$t0" "$vip" "$work/probe-term.txt" 5000)")
held=$(awk '$1 == "ok" { n++ } END { print n + 0 }' "$work/hold.txt")
results+=("$(printf '%-26s %d of 5 live connections (8 s, a line each 200 ms) ended normally; the others: %s' \
  "  live during SIGTERM:" "$held" "$(awk '$1 != "ok" { printf "%s after %s lines; ", $3, $2 }' "$work/hold.txt")")")
until_ok 20 bash -c "! kill -0 ${lnm_pid[$m]} 2>/dev/null" || true
lnm_pid[$m]=""

# --- audit: every connection that succeeded is recorded on exactly one box --------------------
# lnm writes a record when a connection ends. A connection whose echo came back just before the
# kill -9 may not have ended inside lnm yet (the client's FIN still on its way): that process
# dies with the record unwritten. Those within 1 s before the kill are counted apart; every
# other successful connection, before or after any of the three events, must have one record.
sleep 1 # the surviving box's writer flushes when its queue runs empty
for b in 1 2; do [ -f "$work/b$b/audit.jsonl" ] || : >"$work/b$b/audit.jsonl"; done
clients=$work/audit-clients.txt
sed -n 's/.*"client":"10\.77\.0\.100:\([0-9]*\)".*/\1/p' "$work/b1/audit.jsonl" "$work/b2/audit.jsonl" | sort >"$clients"
n_ok=0 missing=0 inflight=0
while read -r start res ms port; do
  [ "$res" = ok ] || continue
  n_ok=$((n_ok + 1))
  if ! grep -qx "$port" "$clients"; then
    end=$((start + ms))
    if [ "$end" -le "$kill_t0" ] && [ "$end" -gt $((kill_t0 - 1000)) ]; then
      inflight=$((inflight + 1))
    else
      missing=$((missing + 1))
      log "no audit record: $start $res $ms $port"
    fi
  fi
done < <(cat "$work"/probe-*.txt)
doubled=$(uniq -d "$clients" | grep -c . || true)
results+=("$(printf 'audit: %d successful connections: %d without a record, %d recorded twice; %d ended (at the client) within 1 s before the kill -9 without a record' \
  "$n_ok" "$missing" "$doubled" "$inflight")")
if [ "$missing" -ne 0 ] || [ "$doubled" -ne 0 ]; then log "FAIL audit"; fail=1; fi

printf '%s\n' "${results[@]}"
exit "$fail"
