#!/usr/bin/env bash
# A/B two lnm builds under the same load, alternating, to measure one change before and after.
# A and B are each a jar (run as java $FLAGS -jar), an image directory (run through its
# bin/lnm launcher with the image's own flags) or a launcher:
#
#   cp -a build/image /tmp/before; <change>; make image
#   bash src/bench/ab.sh /tmp/before build/image [rounds] [cps|rtt|bulk]
#   cp target/lnm.jar /tmp/before.jar; <change>; make build
#   bash src/bench/ab.sh /tmp/before.jar target/lnm.jar [rounds] [cps|rtt|bulk]
#
# Uses what `make bench` left in target/bench (benchgen, benchup, hello.bin, meta.properties):
# run it once first. Both builds run at once on their own ports (AB_PORT_BASE, default 19000, is
# the upstream; +104 and +105 the two lnm), so background
# load on a shared machine hits both; each round runs A then B, the next B then A. Prints per
# run the generator's numbers and the proxy's CPU per operation (connection, round trip or
# MB); then per side the median over the rounds of every figure (rate, p50, p99, CPU), the median
# of the per-round ratios B/A of each, and
# each side's RSS once the rounds are over. Loopback only; rounds default to 6, each about 8 s.
#
# Jars run with LNM_JVM_FLAGS (default: the jar flags of the last make bench); LNM_JVM_FLAGS_B
# adds flags to B only (the same jar twice then compares JVM flags). For images and launchers
# LNM_JAVA_OPTS_A / LNM_JAVA_OPTS_B are passed to each launcher as its LNM_JAVA_OPTS.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/bench
usage="usage: ab.sh A B [rounds] [cps|rtt|bulk]   (A, B: a jar, an image directory or a launcher)"
A=${1:?$usage}
B=${2:?$usage}
ROUNDS=${3:-6}
MODE=${4:-cps}
for f in "$OUT/benchgen" "$OUT/benchup" "$OUT/hello.bin" "$OUT/meta.properties" "$A" "$B"; do
    [ -e "$f" ] || { echo "ab.sh: $f is missing (run make bench once first)" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "ab.sh: rounds must be 1-50" >&2; exit 2; }
case $MODE in cps|rtt|bulk) ;; *) echo "ab.sh: mode is cps, rtt or bulk" >&2; exit 2 ;; esac
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export MALLOC_ARENA_MAX=2
FLAGS=${LNM_JVM_FLAGS:-$(sed -n 's/^lnm_jar_flags=//p' "$OUT/meta.properties")}
BASE=${AB_PORT_BASE:-19000}
PA_PORT=$((BASE + 104)) PB_PORT=$((BASE + 105))
dir=$OUT/ab-$BASE
mkdir -p "$dir/audit"
for side in a b; do # the bench's lnm config, one per side
    port=$PA_PORT; [ $side = b ] && port=$PB_PORT
    sed -e "s|@PORT@|$port|g" -e "s|@UP_PORT@|$BASE|g" -e "s|@WORKERS@|2|g" -e "s|audit/lnm-audit.jsonl|audit/lnm-audit-$side.jsonl|" \
        src/bench/conf/lnm.properties.in >"$dir/lnm-$side.properties"
done
sed -e "s|@UP_PORT@|$BASE|g" src/bench/conf/lnm-allowlist.properties.in >"$dir/lnm-allowlist.properties"

start() { # side what config log: starts lnm, sets STARTED_PID
    local side=$1 what=$2 conf=$3 log=$4 opts extra=""
    if [ "$side" = A ]; then opts=${LNM_JAVA_OPTS_A:-}; else opts=${LNM_JAVA_OPTS_B:-}; extra=${LNM_JVM_FLAGS_B:-}; fi
    [ -d "$what" ] && what=$what/bin/lnm
    if [[ "$what" == *.jar ]]; then
        [ -n "$FLAGS" ] || { echo "ab.sh: no JVM flags for the jar: set LNM_JVM_FLAGS" >&2; exit 2; }
        # shellcheck disable=SC2086 # the flags are one word-split variable on purpose
        java $FLAGS $extra -jar "$what" run --config "$conf" >"$log" 2>&1 &
    else
        LNM_JAVA_OPTS="$opts" "$what" run --config "$conf" >"$log" 2>&1 &
    fi
    STARTED_PID=$!
}
for port in "$BASE" "$PA_PORT" "$PB_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "ab.sh: port $port is in use (another A/B or bench?): set AB_PORT_BASE" >&2; exit 2
    fi
done
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
"$OUT/benchup" "$BASE" 1200 >/dev/null 2>&1 & PIDS+=($!)
start A "$A" "$dir/lnm-a.properties" "$dir/a.log"; PA=$STARTED_PID; PIDS+=("$PA")
start B "$B" "$dir/lnm-b.properties" "$dir/b.log"; PB=$STARTED_PID; PIDS+=("$PB")
for _ in $(seq 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PA_PORT" && exec 4<>"/dev/tcp/127.0.0.1/$PB_PORT") 2>/dev/null && break
    sleep 0.1
done

ticks() { local line f; read -r line <"/proc/$1/stat"; read -ra f <<<"${line##*) }"; echo $((f[11] + f[12])); }
load() { # port seconds
    case $MODE in
    cps) "$OUT/benchgen" cps "127.0.0.1:$1" "$OUT/hello.bin" -c 32 -t "$2" -w 0.1 ;;
    rtt) "$OUT/benchgen" rtt "127.0.0.1:$1" "$OUT/hello.bin" -n 8 -m 64 -t "$2" -w 0.1 ;;
    bulk) "$OUT/benchgen" bulk "127.0.0.1:$1" "$OUT/hello.bin" -n 50 -t "$2" -w 0.3 ;;
    esac
}
for port in $PA_PORT $PB_PORT $PA_PORT $PB_PORT; do load "$port" 5 >/dev/null; done   # warm-up: the JIT compiles
HZ=$(getconf CLK_TCK)
for r in $(seq "$ROUNDS"); do
    order="A B"; [ $((r % 2)) -eq 0 ] && order="B A"   # alternate who goes first
    for side in $order; do
        if [ $side = A ]; then pid=$PA port=$PA_PORT; else pid=$PB port=$PB_PORT; fi
        c0=$(ticks "$pid")
        res=$(load "$port" 4)
        c1=$(ticks "$pid")
        ops=$(sed 's/.*total=\([0-9]*\).*/\1/' <<<"$res")
        [ "$MODE" = bulk ] && ops=$((ops / 1000000))
        echo "$side $r $(grep -o 'mbps=[0-9.]*\|cps=[0-9]*\|p50_[a-z]*=[0-9.]*\|p99_[a-z]*=[0-9.]*' <<<"$res" | tr '\n' ' ')cpu_us_per_op=$(((c1 - c0) * 1000000 / HZ / (ops > 0 ? ops : 1)))"
    done
done | tee /dev/stderr | awk '
    function median(arr, n,    i, j, t) {
        for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
        return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    # fields: side round metric=value [p50_..=v] [p99_..=v] cpu_us_per_op=v; every metric is summarised
    { for (f = 3; f <= NF; f++) { k = $f; sub(/=.*/, "", k); v = $f; sub(/.*=/, "", v)
          if (!(k in seen)) { seen[k] = 1; names[++nm] = k }
          val[$1, $2, k] = v }
      if ($2 > rounds) rounds = $2 }
    END {
        for (s = 1; s <= 2; s++) {
            side = s == 1 ? "A" : "B"; line = ""
            for (i = 1; i <= nm; i++) {
                n = 0; for (r = 1; r <= rounds; r++) if ((side, r, names[i]) in val) a[++n] = val[side, r, names[i]]
                line = line sprintf("%s%s %.1f", (i > 1 ? ", " : ""), names[i], median(a, n))
            }
            printf "%s median of %d rounds: %s\n", side, n, line
        }
        line = ""
        for (i = 1; i <= nm; i++) {
            n = 0
            for (r = 1; r <= rounds; r++) if (val["A", r, names[i]] > 0 && (("B", r, names[i]) in val)) q[++n] = val["B", r, names[i]] / val["A", r, names[i]]
            if (n) line = line sprintf("%s%s %.3f", (line != "" ? ", " : ""), names[i], median(q, n))
        }
        printf "B/A median of per-round ratios: %s (%d rounds)\n", line, n
    }'
for side in A B; do
    if [ $side = A ]; then pid=$PA; else pid=$PB; fi
    echo "$side RSS after the rounds: $(awk '/^VmRSS/ { printf "%.1f MB", $2 / 1024 }' "/proc/$pid/status")"
done
