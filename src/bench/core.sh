#!/usr/bin/env bash
# `make bench-core`: what one proxied connection costs each proxy on one core. Every proxy is
# pinned to core 0 (taskset, all its processes and threads) with one worker/thread, the load
# generator and the upstream on the other cores; after a long warm-up, the conn/s test runs for
# a measured window while the proxy's whole process tree is read from /proc before and after:
# utime+stime (user and system µs per connection), voluntary and involuntary context switches
# per connection (every thread's /proc/PID/task/TID/status), and for lnm and the floor (a bare
# Java NIO relay) the CPU of every thread by name. System calls per connection come from a
# separate short run under `strace -c -f`, and one counted by perf's raw_syscalls:sys_enter
# tracepoint where the kernel allows it.
# Peers run twice: as shipped (no per-connection log) and with one log line per connection
# (nginx `access_log ... buffer=64k`, HAProxy `log stdout` + `option tcplog`), since lnm's audit
# log stays on. "Two cores" (proxy on 0-1, two workers) runs only where nproc >= 4, so that the
# generator and upstream still get cores of their own. Loopback only. See src/bench/README.md.
#
# Knobs (environment): BENCH_CORE_WARMUP (s of load per proxy before measuring, default 25; lnm
# and the floor then get up to BENCH_CORE_JIT_ROUNDS (6) more 10 s rounds until their JIT
# compilers are quiet), BENCH_CORE_SECONDS (measured window, default 10), BENCH_CORE_REPS (rounds, default 3; cells
# are medians), BENCH_CORE_TARGETS (default "nginx nginx-log haproxy haproxy-log lnm floor";
# floor is src/bench/java/lnmbench/BareRelay.java, the least a Java NIO relay does, on lnm's JVM),
# BENCH_CORE_SETS (proxy core counts, default "1 2"), BENCH_CORE_SYSCALL_SECONDS (strace window,
# default 3; 0 skips), BENCH_CORE_CONC (connections in flight, default 32), and run.sh's
# LNM_CMD, LNM_JAVA_OPTS, LNM_BENCH_JAR, LNM_JVM_FLAGS, BENCH_SKIP_LNM_BUILD, BENCH_NO_INSTALL,
# BENCH_PORT_BASE. Output: target/bench/core/core.md (also on stdout) and core-raw.tsv.
set -euo pipefail
# shellcheck source=src/bench/run.sh
source "$(dirname "$0")/run.sh"   # its functions and settings (it runs nothing when sourced)

OUT=$ROOT/target/bench/core       # apart from run.sh's files: both run in one `make bench`
LNM_GC_LOG=${LNM_GC_LOG_CORE:--Xlog:gc:file=$OUT/lnm-gc.log}
CORE_WARMUP=${BENCH_CORE_WARMUP:-25}
CORE_SECONDS=${BENCH_CORE_SECONDS:-10}
CORE_REPS=${BENCH_CORE_REPS:-3}
CORE_TARGETS=${BENCH_CORE_TARGETS:-nginx nginx-log haproxy haproxy-log lnm floor}
CORE_SETS=${BENCH_CORE_SETS:-1 2}
CORE_CONC=${BENCH_CORE_CONC:-32}
CORE_JIT_ROUNDS=${BENCH_CORE_JIT_ROUNDS:-6}
SYSCALL_SECONDS=${BENCH_CORE_SYSCALL_SECONDS:-3}
TARGETS=$CORE_TARGETS
PROXY_CPUS=0

# every proxy process starts pinned: its threads, workers and children inherit the affinity
start_bg() { # name cmd... ; sets LAST_PID
    local name=$1; shift
    taskset -c "$PROXY_CPUS" "$@" >"$OUT/$name.log" 2>&1 &
    LAST_PID=$!
    STARTED+=("$LAST_PID")
}

# one line per thread of the given processes: pid tid utime stime voluntary involuntary comm
# (ticks of 1/HZ s; comm last, as it may hold spaces). Builtins only.
snapshot() {
    local p d line rest f k v vol inv comm
    for p in "$@"; do
        for d in /proc/"$p"/task/*; do
            read -r line <"$d/stat" 2>/dev/null || continue
            comm=${line#*(}; comm=${comm%)*}
            rest=${line##*) }
            read -ra f <<<"$rest"
            vol=0 inv=0
            while read -r k v; do
                case $k in
                voluntary_ctxt_switches:) vol=$v ;;
                nonvoluntary_ctxt_switches:) inv=$v; break ;;
                esac
            done <"$d/status" 2>/dev/null || true
            echo "$p ${d##*/} ${f[11]} ${f[12]} $vol $inv $comm"
        done
    done
}

proc_ticks() { # "user sys" of the given processes, exited threads included (/proc/PID/stat)
    local u=0 s=0 p line f
    for p in "$@"; do
        read -r line <"/proc/$p/stat" 2>/dev/null || continue
        read -ra f <<<"${line##*) }"
        u=$((u + f[11])) s=$((s + f[12]))
    done
    echo "$u $s"
}

load() { # cpu cmd... : the generator, pinned to the load cores
    taskset -c "$1" "${@:2}"
}

warm() { # target
    log "$1: warm-up ${CORE_WARMUP} s (not recorded)"
    load "$GEN_CPU" "$OUT/benchgen" cps "127.0.0.1:${PORT[$1]}" "$OUT/hello.bin" -c "$CORE_CONC" \
        -t "$CORE_WARMUP" -w 0 >/dev/null 2>>"$OUT/benchgen.err" || true
}

# The JVMs (lnm, floor), after the common warm-up: more 10 s rounds (at most
# BENCH_CORE_JIT_ROUNDS, default 6) until their JIT compiler threads took under 3% of their CPU
# in the last one. On one core C2 competes with the loop for the core, so it finishes later than
# on two, and a window measured while it still compiles would charge compilation to the connections.
warm_jit() { # target
    local t=$1 i b a pct
    for i in $(seq "$CORE_JIT_ROUNDS"); do
        # shellcheck disable=SC2086
        b=$(snapshot ${TREE[$t]})
        load "$GEN_CPU" "$OUT/benchgen" cps "127.0.0.1:${PORT[$t]}" "$OUT/hello.bin" -c "$CORE_CONC" \
            -t 10 -w 0 >/dev/null 2>>"$OUT/benchgen.err" || true
        # shellcheck disable=SC2086
        a=$(snapshot ${TREE[$t]})
        pct=$(awk 'NR == FNR { b[$2] = $3 + $4; next }
                   { d = $3 + $4 - b[$2]; all += d; if ($7 ~ /^C[12]$/ && $8 == "CompilerThre") jit += d }
                   END { printf "%d", (all > 0 ? 100 * jit / all : 0) }' <(echo "$b") <(echo "$a"))
        log "$t: warm-up +10 s ($i), JIT compiler threads ${pct}% of its CPU"
        [ "$pct" -lt 3 ] && break
    done
    return 0
}

# One measured window of the conn/s test: the proxy tree's CPU and context switches before and
# after, divided by the connections completed in it (benchgen counts from its start: -w 0).
measure() { # target rep
    local t=$1 rep=$2 b a r u0 s0 u1 s1 up0 up1 conns secs
    # shellcheck disable=SC2086
    b=$(snapshot ${TREE[$t]}); read -r u0 s0 <<<"$(proc_ticks ${TREE[$t]})"
    up0=$(cpu_ticks "$UP_PID")
    r=$(load "$GEN_CPU" "$OUT/benchgen" cps "127.0.0.1:${PORT[$t]}" "$OUT/hello.bin" -c "$CORE_CONC" \
        -t "$CORE_SECONDS" -w 0 2>>"$OUT/benchgen.err") || r="failed exit=$?"
    # shellcheck disable=SC2086
    a=$(snapshot ${TREE[$t]}); read -r u1 s1 <<<"$(proc_ticks ${TREE[$t]})"
    up1=$(cpu_ticks "$UP_PID")
    conns=$(sed -n 's/.* total=\([0-9]*\).*/\1/p' <<<"$r")
    secs=$(sed -n 's/.* run_s=\([0-9.]*\).*/\1/p' <<<"$r")
    if [ -z "$conns" ] || [ "$conns" = 0 ] || [[ ! "$r" =~ errors=0 ]]; then
        printf '%s\t%s\trun\t%s\tfailed: %s\n' "$CORES" "$t" "$rep" "$r" >>"$RAW"
        log "$t #$rep failed: $r"
        return 0
    fi
    # context switches: every thread's counts after minus before (a thread born in the window from 0)
    local sw
    sw=$(awk 'NR == FNR { v[$2] = $5; i[$2] = $6; next }
              { dv += $5 - v[$2]; di += $6 - i[$2] } END { printf "%d %d", dv, di }' \
        <(echo "$b") <(echo "$a"))
    local vol=${sw% *} inv=${sw#* }
    local line
    line=$(awk -v hz="$HZ" -v n="$conns" -v s="$secs" -v u="$((u1 - u0))" -v k="$((s1 - s0))" \
        -v up="$((up1 - up0))" -v vol="$vol" -v inv="$inv" -v r="$r" 'BEGIN {
        us = 1e6 / hz
        g = r; sub(/.*gen_cpu_pct=/, "", g); sub(/ .*/, "", g)
        printf "cps=%.0f conns=%d secs=%s cpu_us=%.1f user_us=%.1f sys_us=%.1f vol_cs=%.2f invol_cs=%.2f proxy_cpu_pct=%.0f gen_cpu_pct=%s up_cpu_pct=%.0f",
            n / s, n, s, (u + k) * us / n, u * us / n, k * us / n, vol / n, inv / n,
            100 * (u + k) / hz / s, g, 100 * up / hz / s }')
    printf '%s\t%s\trun\t%s\t%s\n' "$CORES" "$t" "$rep" "$line" >>"$RAW"
    log "$(printf '%s core(s) %-11s #%s %s' "$CORES" "$t" "$rep" "$line")"
    if [ "$t" = lnm ] || [ "$t" = floor ]; then
        # a JVM's CPU by thread, grouped by name (C2 and C1 compiler threads, GC, the loops, audit...)
        awk -v hz="$HZ" -v n="$conns" -v cores="$CORES" -v rep="$rep" -v t="$t" 'NR == FNR { b[$2] = $3 + $4; v[$2] = $5 + $6; next }
            { name = $7; for (i = 8; i <= NF; i++) name = name " " $i
              cpu[name] += $3 + $4 - b[$2]; cs[name] += $5 + $6 - v[$2]; cnt[name]++ }
            END { for (x in cpu) printf "%s\t%s\tthread\t%s\tus=%.2f cs=%.3f threads=%d name=%s\n",
                  cores, t, rep, cpu[x] * 1e6 / hz / n, cs[x] / n, cnt[x], x }' \
            <(echo "$b") <(echo "$a") >>"$RAW"
    fi
}

# system calls per connection in a short run under strace -c -f (run.sh's count_syscalls writes
# "T syscalls 1 calls=... conns=..." to RAW); tagged here with the core count
syscalls() { # target
    local t=$1 tmp=$RAW
    RAW=$OUT/syscalls.tmp
    : >"$RAW"
    count_syscalls "$t"
    while IFS=$'\t' read -r tt _ _ rest; do
        printf '%s\t%s\tsyscalls\t1\t%s\n' "$CORES" "$tt" "$rest" >>"$tmp"
    done <"$RAW"
    RAW=$tmp
    perf_syscalls "$t"
}

# The same count at full rate, where the kernel lets perf count its raw_syscalls:sys_enter
# tracepoint: strace stops the proxy at every call, which changes how many events each
# epoll_wait returns; a tracepoint counter costs far less. Every thread of the tree (-p).
perf_syscalls() { # target
    local t=$1 pids ppid r conns calls f=$OUT/perf-$1.txt
    [ "$PERF_OK" = 1 ] || return 0
    # shellcheck disable=SC2086
    pids=$(echo ${TREE[$t]} | tr ' ' ,)
    timeout $((SYSCALL_SECONDS + 30)) perf stat -x, -e raw_syscalls:sys_enter -p "$pids" -o "$f" \
        >/dev/null 2>"$OUT/perf-$t.err" &
    ppid=$!
    STARTED+=("$ppid")
    sleep 0.5   # attached before the first connection
    r=$(load "$GEN_CPU" "$OUT/benchgen" cps "127.0.0.1:${PORT[$t]}" "$OUT/hello.bin" -c "$CORE_CONC" \
        -t "$SYSCALL_SECONDS" -w 0 2>>"$OUT/benchgen.err") || true
    kill -INT "$ppid" 2>/dev/null || true
    wait "$ppid" 2>/dev/null || true
    forget "$ppid"
    conns=$(sed -n 's/.* total=\([0-9]*\).*/\1/p' <<<"$r")
    calls=$(awk -F, '/raw_syscalls:sys_enter/ { print $1 }' "$f" 2>/dev/null)
    if [[ ! "$calls" =~ ^[0-9]+$ ]] || [ -z "$conns" ] || [ "$conns" = 0 ]; then
        log "$t: perf did not count system calls ($(head -c 200 "$OUT/perf-$t.err"); benchgen: $r)"
        return 0
    fi
    printf '%s\t%s\tperfsyscalls\t1\tcalls=%s conns=%s\n' "$CORES" "$t" "$calls" "$conns" >>"$RAW"
    log "$(printf '%-11s perf: %s system calls / %s connections' "$t" "$calls" "$conns")"
}

run_set() { # cores
    CORES=$1
    local n t ncpu last
    ncpu=$(nproc)
    PROXY_CPUS=0
    [ "$CORES" -gt 1 ] && PROXY_CPUS=0-$((CORES - 1))
    last=$((ncpu - 1))
    GEN_CPU=$CORES                                    # first core after the proxy's
    UP_CPU=$(( CORES + 1 <= last ? CORES + 1 : CORES )) # its own core where there is one
    WORKERS=$CORES
    log "$CORES core(s): proxies on cpu $PROXY_CPUS with $WORKERS worker(s) each, generator on cpu $GEN_CPU, upstream on cpu $UP_CPU"
    STATUS=() PIDS=() TREE=()
    if port_open "$UP_PORT"; then log "port $UP_PORT (upstream) is already in use: stop whatever holds it"; exit 1; fi
    taskset -c "$UP_CPU" "$OUT/benchup" "$UP_PORT" 1200 >"$OUT/benchup.log" 2>&1 &
    UP_PID=$!
    STARTED+=("$UP_PID")
    for _ in $(seq 50); do port_open "$UP_PORT" && break; sleep 0.1; done
    port_open "$UP_PORT" || { log "upstream did not start"; exit 1; }
    for t in $CORE_TARGETS; do
        start_target "$t"
        log "$t: ${STATUS[$t]}"
        printf '%s\t%s\tstatus\t0\t%s\n' "$CORES" "$t" "${STATUS[$t]}" >>"$RAW"
    done
    for t in $CORE_TARGETS; do [ "${STATUS[$t]}" = ok ] && warm "$t"; done
    for t in lnm floor; do [ "${STATUS[$t]:-}" = ok ] && warm_jit "$t"; done
    for n in $(seq "$CORE_REPS"); do
        for t in $CORE_TARGETS; do   # interleaved, so that drifting background load hits all
            [ "${STATUS[$t]}" = ok ] && measure "$t" "$n"
            sleep 0.5
        done
    done
    if [ "$SYSCALL_SECONDS" != 0 ]; then
        for t in $CORE_TARGETS; do [ "${STATUS[$t]}" = ok ] && syscalls "$t"; done
    fi
    if [ "${STATUS[lnm]:-}" = ok ]; then
        printf '%s\tlnm\taudit\t0\trecords=%s\n' "$CORES" "$(wc -l <"$OUT/audit/lnm-audit.jsonl" 2>/dev/null || echo 0)" >>"$RAW"
    fi
    [ "${STATUS[nginx-log]:-}" = ok ] && printf '%s\tnginx-log\tlog\t0\tlines=%s\n' "$CORES" "$(wc -l <"$OUT/nginx-access.log" 2>/dev/null || echo 0)" >>"$RAW"
    [ "${STATUS[haproxy-log]:-}" = ok ] && printf '%s\thaproxy-log\tlog\t0\tlines=%s\n' "$CORES" "$(grep -c bench "$OUT/haproxy-log.log" 2>/dev/null || echo 0)" >>"$RAW"
    stop_all
}

core_main() {
    mkdir -p "$OUT"
    RAW=$OUT/core-raw.tsv
    : >"$RAW"
    : >"$OUT/benchgen.err"
    local t0=$SECONDS c
    command -v taskset >/dev/null || { log "taskset (util-linux) not found: cannot pin"; exit 1; }
    install_deps
    # perf for the full-rate system call count: optional (Debian's linux-perf), skipped when absent
    if ! command -v perf >/dev/null && [ "${BENCH_NO_INSTALL:-}" != 1 ] && [ "$(id -u)" -eq 0 ]; then
        log "installing linux-perf (system calls at full rate; optional)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends linux-perf >/dev/null 2>&1 \
            || log "linux-perf not installed: system calls are counted by strace only"
    fi
    PERF_OK=0
    if command -v perf >/dev/null && timeout 20 perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1; then PERF_OK=1; fi
    raise_nofile
    HAPROXY_MAXCONN=$(( (NOFILE - 200) / 2 > 20000 ? 20000 : (NOFILE - 200) / 2 ))
    build_harness
    case " $CORE_TARGETS " in *" lnm "*) build_lnm ;; esac
    HZ=$(getconf CLK_TCK)
    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "nproc=$(nproc)"
        echo "cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
        echo "kernel=$(uname -r)"
        echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "warmup=$CORE_WARMUP"
        echo "seconds=$CORE_SECONDS"
        echo "reps=$CORE_REPS"
        echo "concurrency=$CORE_CONC"
        echo "syscall_seconds=$SYSCALL_SECONDS"
        echo "perf_syscalls=$PERF_OK"
        if [ -n "${LNM_CMD:-}" ]; then echo "lnm=${LNM_CMD#"$ROOT"/} (image, its own flags${LNM_JAVA_OPTS:+, plus $LNM_JAVA_OPTS})"
        else echo "lnm=java $LNM_JVM_FLAGS -jar target/lnm.jar"; fi
        echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
        echo "haproxy=$(haproxy -v 2>/dev/null | head -1 | awk '{print $3}')"
        echo "floor=$(floor_java | sed "s|^$ROOT/||") (lnm's flags) -cp target/bench/classes lnmbench.BareRelay"
    } >"$OUT/meta.properties"
    for c in $CORE_SETS; do
        if [ $((2 * c)) -gt "$(nproc)" ]; then
            log "$c core(s) per proxy skipped: $(nproc) cores cannot isolate the proxy from the generator and upstream (needs $((2 * c)))"
            printf '%s\t-\tskipped\t0\tnproc=%s\n' "$c" "$(nproc)" >>"$RAW"
            continue
        fi
        run_set "$c"
    done
    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/meta.properties"
    echo "elapsed_s=$((SECONDS - t0))" >>"$OUT/meta.properties"
    bash "$SRC/core-report.sh" "$OUT" | tee "$OUT/core.md"
}

core_main "$@"
