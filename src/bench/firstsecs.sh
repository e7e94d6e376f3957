#!/usr/bin/env bash
# Full speed from the first second? For one lnm build, per run: the time from exec of the
# launcher to its TLS listener accepting a TCP connection (and the CPU the JVM used until
# then), the conn/s of the bench's cps load in the first 3 s after that, and the warm conn/s
# of the same process after a further warm-up, and lnm's CPU per connection in both windows.
# Prints each run, then the medians (of the per-run ratio first-3-s / warm too); for an image,
# then the floor: the image's own java and flags starting a program that only binds and
# accepts (src/bench/java/lnmbench/BareListen.java), timed the same way.
#
#   bash src/bench/firstsecs.sh [LAUNCHER|IMAGE_DIR|JAR] [RUNS]    (default build/image, 7 runs)
#   make bench-start                                                 (the same, on build/image)
#
# LNM_JAVA_OPTS passes through to the launcher (a jar runs as java $LNM_JVM_FLAGS -jar).
# Knobs: FIRST_SECONDS (3), WARMUP_SECONDS (6, load between the two windows), WARM_SECONDS (3),
# FS_PORT_BASE (19300: the upstream; +1 lnm), FS_WORKERS (2: loop.threads). The load is src/bench/c/benchgen's cps mode
# (connect, the JDK's ClientHello, echo from benchup, close; 32 at a time), built here into
# target/bench when `make bench` has not done it yet. Loopback only; every generator run ends by
# its own deadline and every process this script starts is stopped on exit.
#
# The accept poll is bash's own /dev/tcp (no fork per attempt) with a 1 ms pause between
# attempts, bounded to 15 s, so the figure is at most about 1 ms late. A connect succeeds once
# the listener's socket is bound and listening; the cps window starts right after that.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=target/bench
what=${1:-build/image}
runs=${2:-7}
FIRST=${FIRST_SECONDS:-3} WARMUP=${WARMUP_SECONDS:-6} WARM=${WARM_SECONDS:-3}
BASE=${FS_PORT_BASE:-19300}
UP=$BASE PORT=$((BASE + 1))
[ "$runs" -ge 1 ] && [ "$runs" -le 50 ] || { echo "firstsecs: runs must be 1-50" >&2; exit 2; }
[ -d "$what" ] && what=$what/bin/lnm
[ -e "$what" ] || { echo "firstsecs: $what not found (make image)" >&2; exit 2; }

# --- the generator, the upstream and the ClientHello (as src/bench/run.sh builds them) ------
mkdir -p "$OUT/classes"
[ -x "$OUT/benchgen" ] || gcc -O2 -Wall -o "$OUT/benchgen" src/bench/c/benchgen.c || exit 2
[ -x "$OUT/benchup" ] || gcc -O2 -Wall -o "$OUT/benchup" src/bench/c/benchup.c || exit 2
if [ ! -s "$OUT/hello.bin" ]; then
    javac -d "$OUT/classes" src/bench/java/lnmbench/HelloCapture.java &&
        java -cp "$OUT/classes" lnmbench.HelloCapture "$OUT/hello.bin" bench.example >&2 || exit 2
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/lnm-firstsecs.XXXXXX")
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT
mkdir -p "$dir/audit"
sed -e "s|@PORT@|$PORT|g" -e "s|@UP_PORT@|$UP|g" -e "s|@WORKERS@|${FS_WORKERS:-2}|g" src/bench/conf/lnm.properties.in >"$dir/lnm.properties"
sed -e "s|@UP_PORT@|$UP|g" src/bench/conf/lnm-allowlist.properties.in >"$dir/lnm-allowlist.properties"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
for p in "$UP" "$PORT"; do
    if { : 3<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
        echo "firstsecs: port $p is in use: set FS_PORT_BASE" >&2; exit 2
    fi
done
"$OUT/benchup" "$UP" 1200 >/dev/null 2>&1 &
PIDS+=($!)
mkfifo "$dir/tick"
exec 9<>"$dir/tick" # read -t on it is a sleep without a fork

HZ=$(getconf CLK_TCK)
cpu_ms() { local line f; read -r line <"/proc/$1/stat" || return; read -ra f <<<"${line##*) }"; echo $(((f[11] + f[12]) * 1000 / HZ)); }
cps() { # seconds: conn/s of one cps window on lnm
    "$OUT/benchgen" cps "127.0.0.1:$PORT" "$OUT/hello.bin" -c 32 -t "$1" -w 0 2>>"$dir/gen.err" |
        sed -n 's/.*cps=\([0-9]*\).*/\1/p'
}
start_lnm() {
    if [[ "$what" == *.jar ]]; then
        # shellcheck disable=SC2086 # flags are one word-split variable on purpose
        exec java ${LNM_JVM_FLAGS:--XX:+UseSerialGC -Xmx128m} -jar "$what" run --config "$dir/lnm.properties"
    else
        exec "$what" run --config "$dir/lnm.properties"
    fi
}

echo "firstsecs: $what, $runs runs: exec -> accepting, conn/s in the first ${FIRST} s, warm conn/s after ${WARMUP} s more; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$runs"); do
    t0=$EPOCHREALTIME
    start_lnm 2>"$dir/run.err" >/dev/null &
    pid=$!
    PIDS+=("$pid")
    ok=0
    for _ in $(seq 15000); do
        kill -0 "$pid" 2>/dev/null || break
        if { : 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then ok=1; break; fi
        read -r -t 0.001 -u 9 _
    done
    t1=$EPOCHREALTIME
    cpu0=$(cpu_ms "$pid")
    if [ "$ok" -ne 1 ]; then
        echo "firstsecs: lnm did not accept: $(head -c 500 "$dir/run.err")" >&2; exit 1
    fi
    first=$(cps "$FIRST"); first=${first:-0}
    cpu1=$(cpu_ms "$pid")
    "$OUT/benchgen" cps "127.0.0.1:$PORT" "$OUT/hello.bin" -c 32 -t "$WARMUP" -w 0 >/dev/null 2>>"$dir/gen.err"
    cpu2=$(cpu_ms "$pid")
    warm=$(cps "$WARM"); warm=${warm:-0}
    cpu3=$(cpu_ms "$pid")
    # lnm's CPU per connection in each window (µs): other load on the machine moves it much
    # less than the rates, so first_us / warm_us shows how far from warm the first seconds run
    first_us=$(( first > 0 ? (cpu1 - cpu0) * 1000 / (first * FIRST) : 0 ))
    warm_us=$(( warm > 0 ? (cpu3 - cpu2) * 1000 / (warm * WARM) : 0 ))
    rss=$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    PIDS=("${PIDS[0]}") # only benchup left to stop
    ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
    ratio=$(awk -v a="${first:-0}" -v b="${warm:-0}" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
    echo "run $i: start_ms=$ms start_cpu_ms=$cpu0 first_cps=${first:-0} warm_cps=${warm:-0} ratio=$ratio first_us=$first_us warm_us=$warm_us rss_mb=$rss" | tee -a "$dir/runs"
done
awk '
    function median(arr, n,    i, j, t) {
        for (i = 2; i <= n; i++) { t = arr[i]; for (j = i - 1; j >= 1 && arr[j] > t; j--) arr[j + 1] = arr[j]; arr[j + 1] = t }
        return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
    }
    /^run / { n++; for (f = 3; f <= NF; f++) { k = $f; sub(/=.*/, "", k); v = $f; sub(/.*=/, "", v); val[k, n] = v; if (n == 1) names[++nk] = k } }
    END {
        line = ""
        for (i = 1; i <= nk; i++) { for (r = 1; r <= n; r++) a[r] = val[names[i], r]; line = line sprintf("%s%s %s", i > 1 ? ", " : "", names[i], median(a, n)) }
        printf "median of %d runs: %s\n", n, line
    }' "$dir/runs"

# The floor: the same runtime and flags (an image's bin/java and lib/lnm.jvmflags) starting a
# program that only binds the port and accepts (lnmbench.BareListen), timed the same way.
img=$(dirname "$(dirname "$what")")
if [ -x "$img/bin/java" ] && [ -f "$img/lib/lnm.jvmflags" ]; then
    javac -d "$OUT/classes" src/bench/java/lnmbench/BareListen.java || exit 2
    for i in $(seq "$runs"); do
        t0=$EPOCHREALTIME
        "$img/bin/java" "@$img/lib/lnm.jvmflags" -cp "$OUT/classes" lnmbench.BareListen "$PORT" >/dev/null 2>&1 &
        pid=$!
        PIDS+=("$pid")
        ok=0
        for _ in $(seq 15000); do
            kill -0 "$pid" 2>/dev/null || break
            if { : 3<>"/dev/tcp/127.0.0.1/$PORT"; } 2>/dev/null; then ok=1; break; fi
            read -r -t 0.001 -u 9 _
        done
        t1=$EPOCHREALTIME
        wait "$pid" 2>/dev/null
        PIDS=("${PIDS[0]}")
        [ "$ok" -eq 1 ] || { echo "firstsecs: the floor did not accept" >&2; exit 1; }
        echo "floor $i: start_ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')" | tee -a "$dir/floor"
    done
    awk -F= '{ v[++n] = $2 } END {
        for (i = 2; i <= n; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
        printf "floor (a JVM that only binds and accepts, %s): median start_ms %s\n", "same runtime and flags", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
    }' "$dir/floor"
fi
