#!/usr/bin/env bash
# A/B two lnm builds under the same load, alternating, to measure one change before and after:
#
#   cp target/lnm.jar /tmp/before.jar; <change>; make build
#   bash src/bench/ab.sh /tmp/before.jar target/lnm.jar [rounds] [cps|rtt|bulk]
#
# Uses what `make bench` left in target/bench (benchgen, benchup, hello.bin, lnm.properties):
# run it once first. Both builds run at once on their own ports (19104, 19105) with that run's
# JVM flags, so background load on a shared machine hits both; each round runs A then B. Prints
# per run the generator's numbers and the proxy's CPU per operation (connection, round trip or
# MB), then the means. Loopback only; rounds default to 6, each about 8 s. The same jar twice
# with LNM_JVM_FLAGS_B set compares JVM flags instead (B gets the bench's flags plus those).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=target/bench
A=${1:?usage: ab.sh A.jar B.jar [rounds] [cps|rtt|bulk]}
B=${2:?usage: ab.sh A.jar B.jar [rounds] [cps|rtt|bulk]}
ROUNDS=${3:-6}
MODE=${4:-cps}
for f in "$OUT/benchgen" "$OUT/benchup" "$OUT/hello.bin" "$OUT/lnm.properties" "$OUT/meta.properties" "$A" "$B"; do
    [ -e "$f" ] || { echo "ab.sh: $f is missing (run make bench once first)" >&2; exit 2; }
done
[ "$ROUNDS" -ge 1 ] && [ "$ROUNDS" -le 50 ] || { echo "ab.sh: rounds must be 1-50" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export MALLOC_ARENA_MAX=2
# the JVM flags of the last `make bench` (run.sh owns their default), unless given
FLAGS=${LNM_JVM_FLAGS:-$(sed -n 's/^lnm_jvm_flags=//p' "$OUT/meta.properties")}
case $FLAGS in ""|"(launcher "*) echo "ab.sh: the last make bench ran a launcher, not the jar: set LNM_JVM_FLAGS" >&2; exit 2 ;; esac
sed -e 's/:19104$/:19105/' -e 's|audit/lnm-audit.jsonl|audit/lnm-audit-b.jsonl|' "$OUT/lnm.properties" >"$OUT/lnm-b.properties"

PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
"$OUT/benchup" 19000 1200 >/dev/null 2>&1 & PIDS+=($!)
# shellcheck disable=SC2086 # the flags are one word-split variable on purpose
java $FLAGS -jar "$A" run --config "$OUT/lnm.properties" >"$OUT/ab-a.log" 2>&1 & PIDS+=($!); PA=$!
# shellcheck disable=SC2086
java $FLAGS ${LNM_JVM_FLAGS_B:-} -jar "$B" run --config "$OUT/lnm-b.properties" >"$OUT/ab-b.log" 2>&1 & PIDS+=($!); PB=$!
for _ in $(seq 150); do
    (exec 3<>/dev/tcp/127.0.0.1/19104 && exec 4<>/dev/tcp/127.0.0.1/19105) 2>/dev/null && break
    sleep 0.1
done

ticks() { local line f; read -r line <"/proc/$1/stat"; read -ra f <<<"${line##*) }"; echo $((f[11] + f[12])); }
load() { # port seconds
    case $MODE in
    cps) "$OUT/benchgen" cps "127.0.0.1:$1" "$OUT/hello.bin" -c 32 -t "$2" -w 0.1 ;;
    rtt) "$OUT/benchgen" rtt "127.0.0.1:$1" "$OUT/hello.bin" -n 8 -m 64 -t "$2" -w 0.1 ;;
    bulk) "$OUT/benchgen" bulk "127.0.0.1:$1" "$OUT/hello.bin" -n 50 -t "$2" -w 0.3 ;;
    *) echo "ab.sh: mode is cps, rtt or bulk" >&2; exit 2 ;;
    esac
}
for port in 19104 19105 19104 19105; do load "$port" 5 >/dev/null; done   # warm-up: the JIT compiles
HZ=$(getconf CLK_TCK)
for _ in $(seq "$ROUNDS"); do
    for side in A B; do
        if [ $side = A ]; then pid=$PA port=19104; else pid=$PB port=19105; fi
        c0=$(ticks "$pid")
        res=$(load "$port" 4)
        c1=$(ticks "$pid")
        ops=$(sed 's/.*total=\([0-9]*\).*/\1/' <<<"$res")
        [ "$MODE" = bulk ] && ops=$((ops / 1000000))
        echo "$side $(grep -o 'mbps=[0-9.]*\|cps=[0-9]*\|p50_[a-z]*=[0-9.]*\|p99_[a-z]*=[0-9.]*' <<<"$res" | tr '\n' ' ')cpu_us_per_op=$(((c1 - c0) * 1000000 / HZ / (ops > 0 ? ops : 1)))"
    done
done | tee /dev/stderr | awk '{ v = $2; sub(/.*=/, "", v); name = $2; sub(/=.*/, "", name); c = $NF; sub(/.*=/, "", c)
        s[$1] += v; u[$1] += c; n[$1]++ }
    END { for (k in s) printf "%s mean: %s %.1f, cpu_us_per_op %.1f (%d runs)\n", k, name, s[k] / n[k], u[k] / n[k], n[k] }' | sort
