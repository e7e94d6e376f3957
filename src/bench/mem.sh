#!/usr/bin/env bash
# lnm's memory as `make bench` measures it, for one launcher, in about a minute: RSS right after
# start, RSS with nothing to do after a round of load (the table's "RSS idle"), RSS while holding
# N idle connections and the growth per connection (the table's "KB/conn").
#
#   bash src/bench/mem.sh [LAUNCHER] [IDLE_CONNS]    (default build/image/bin/lnm, 5000)
#
# LNM_JAVA_OPTS passes through to the launcher, so one flag can be tried without a rebuild:
#   LNM_JAVA_OPTS=-Xmx32m bash src/bench/mem.sh
# MEM_NMT=1 also prints the JVM's native memory summary (jcmd VM.native_memory) while the
# connections are held. Memory, unlike the rates, barely moves with other load on the machine.
# Uses what `make bench` left in target/bench (benchgen, benchup, hello.bin). Loopback only,
# ports 19010 (upstream) and 19110 (lnm); MEM_PORT=N moves them to N and N+100 (parallel runs).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/bench
LNM=${1:-build/image/bin/lnm}
N=${2:-5000}
UP=${MEM_PORT:-19010} PORT=$(( ${MEM_PORT:-19010} + 100 ))
for f in "$OUT/benchgen" "$OUT/benchup" "$OUT/hello.bin" "$LNM"; do
    [ -e "$f" ] || { echo "mem.sh: $f is missing (make image; make bench once)" >&2; exit 2; }
done
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
dir=$OUT/mem-$PORT
mkdir -p "$dir/audit"
sed -e "s|@PORT@|$PORT|g" -e "s|@UP_PORT@|$UP|g" -e "s|@WORKERS@|2|g" src/bench/conf/lnm.properties.in >"$dir/lnm.properties"
sed -e "s|@PORT@|$PORT|g" -e "s|@UP_PORT@|$UP|g" src/bench/conf/lnm-allowlist.properties.in >"$dir/lnm-allowlist.properties"
rm -f "$dir/audit/"*

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
"$OUT/benchup" $UP 300 >/dev/null 2>&1 & PIDS+=($!)
opts=${LNM_JAVA_OPTS:-}
[ "${MEM_NMT:-}" = 1 ] && opts="$opts -XX:NativeMemoryTracking=summary -XX:-DisableAttachMechanism"
LNM_JAVA_OPTS=$opts "$LNM" run --config "$dir/lnm.properties" >"$dir/lnm.log" 2>&1 & PIDS+=($!); P=$!
for _ in $(seq 150); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done
rss() { awk '/^VmRSS/{print $2}' "/proc/$P/status"; }
sleep 1
fresh=$(rss)
a=127.0.0.1:$PORT h=$OUT/hello.bin
cps=$("$OUT/benchgen" cps "$a" "$h" -c 32 -t 8 -w 1 | grep -o 'cps=[0-9]*')
"$OUT/benchgen" rtt "$a" "$h" -n 8 -m 64 -t 3 -w 0.1 >/dev/null
"$OUT/benchgen" bulk "$a" "$h" -n 50 -t 3 -w 0.1 >/dev/null
"$OUT/benchgen" cps "$a" "$h" -c 32 -t 4 -w 0.1 >/dev/null
sleep 7   # longer than the launcher's native-heap trim interval
quiet=$(rss)
"$OUT/benchgen" idle "$a" "$h" -n "$N" -c 200 -t 60 -H 30 >"$dir/idle.out" 2>&1 & G=$!; PIDS+=($G)
for _ in $(seq 600); do grep -q READY "$dir/idle.out" && break; kill -0 "$G" 2>/dev/null || break; sleep 0.1; done
sleep 1.5
held=$(rss)
jdk=""
if [ "${MEM_NMT:-}" = 1 ]; then
    major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$(dirname "$(readlink -f "$LNM")")/../release" 2>/dev/null || true)
    for j in /usr/lib/jvm/*; do [ -x "$j/bin/jcmd" ] && "$j/bin/java" -version 2>&1 | grep -q "version \"$major[.\"]" && jdk=$j && break; done
    "${jdk:-/usr}/bin/jcmd" "$P" VM.native_memory summary | grep -E '^-|committed' | grep -E '^ *- |Total' | sed 's/ *(/ (/' | head -30
fi
kill -USR1 "$G" 2>/dev/null || true
wait "$G" 2>/dev/null || true
est=$(sed -n 's/.*established=\([0-9]*\).*/\1/p' "$dir/idle.out" | tail -1)
awk -v f="$fresh" -v q="$quiet" -v h="$held" -v n="${est:-0}" -v c="$cps" -v l="$LNM" -v o="${LNM_JAVA_OPTS:-}" 'BEGIN {
    printf "%s%s: rss fresh %.1f MB, after load with nothing to do %.1f MB, holding %d idle %.1f MB, %.2f KB/conn; %s (under load, not comparable across runs)\n",
        l, (o == "" ? "" : " [" o "]"), f / 1024, q / 1024, n, h / 1024, (n > 0 ? (h - q) / n : 0), c }'
