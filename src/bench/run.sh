#!/usr/bin/env bash
# `make bench`: lnm against nginx (stream + ssl_preread), HAProxy (TCP mode, req.ssl_sni) and
# sniproxy, all routing the SNI bench.example to one local upstream (benchup), plus a direct run
# with no proxy as the ceiling of the machine. Loopback only. See src/bench/README.md.
#
# Knobs (environment): BENCH_SECONDS (per measured run, default 4), BENCH_WARMUP (not counted,
# default 0.5), BENCH_REPS (medians of, default 3), BENCH_IDLE_CONNS (default 5000),
# BENCH_TARGETS (default "direct nginx haproxy sniproxy lnm"), BENCH_NO_INSTALL=1,
# BENCH_SYSCALL_SECONDS (the strace window per proxy, default 3; 0 skips it), BENCH_CORE=0 (skips
# the per-core run, src/bench/core.sh, which otherwise follows).
# lnm runs as users run it: the jlink image through its launcher, build/image/bin/lnm (built by
# `make image`), with the image's own flags (lib/lnm.jvmflags). LNM_CMD=path runs another
# launcher (another image). LNM_BENCH_JAR=1 runs `java $LNM_JVM_FLAGS -jar target/lnm.jar`
# instead, with bench-only flags (LNM_JVM_FLAGS, default below). BENCH_SKIP_LNM_BUILD=1 uses the
# image (or jar) that is there. Ports used: 19000, 19101-19104 (BENCH_PORT_BASE=N: N, N+101...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$PWD
OUT=$ROOT/target/bench
SRC=$ROOT/src/bench
DUR=${BENCH_SECONDS:-4}
WARM=${BENCH_WARMUP:-0.5}
REPS=${BENCH_REPS:-3}
IDLE_CONNS=${BENCH_IDLE_CONNS:-5000}
TARGETS=${BENCH_TARGETS:-direct nginx haproxy sniproxy lnm}
LNM_JVM_FLAGS=${LNM_JVM_FLAGS:--Xmx48m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=2000 -XX:ReservedCodeCacheSize=32m}
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}  # glibc: few malloc arenas, so JIT scratch memory goes back
# cheap, and it is the evidence when lnm's numbers need explaining
LNM_GC_LOG=${LNM_GC_LOG:--Xlog:gc:file=$OUT/lnm-gc.log}
JAR=$ROOT/target/lnm.jar
LNM_BENCH_JAR=${LNM_BENCH_JAR:-}
[ "$LNM_BENCH_JAR" = 1 ] || LNM_CMD=${LNM_CMD:-$ROOT/build/image/bin/lnm}
SYSCALL_SECONDS=${BENCH_SYSCALL_SECONDS:-3}
UP_PORT=${BENCH_PORT_BASE:-19000}
declare -A PORT=([direct]=$UP_PORT [nginx]=$((UP_PORT + 101)) [haproxy]=$((UP_PORT + 102)) [sniproxy]=$((UP_PORT + 103)) [lnm]=$((UP_PORT + 104))
    [nginx-log]=$((UP_PORT + 105)) [haproxy-log]=$((UP_PORT + 106)) [floor]=$((UP_PORT + 107)))
# threads (nginx workers, HAProxy nbthread, lnm loop.threads) of every proxy; core.sh sets one per core
WORKERS=${BENCH_WORKERS:-2}
declare -A PIDS=()      # target -> the proxy's process ids (RSS is summed over them and their children)
declare -A TREE=()      # target -> those pids and their children, once started (nginx workers)
declare -A STATUS=()    # target -> ok | failed: why
STARTED=()              # every background process this script started, stopped by the trap

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_all() {
    local p
    for p in "${STARTED[@]:-}"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${STARTED[@]:-}"; do
        [ -z "$p" ] && continue
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    STARTED=()
}
# a process that has been waited for leaves the list, so that its id, once reused, is never signalled
forget() {
    local keep=() p
    for p in "${STARTED[@]:-}"; do [ -n "$p" ] && [ "$p" != "$1" ] && keep+=("$p"); done
    STARTED=("${keep[@]:-}")
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools and limits
install_deps() {
    local need=()
    command -v gcc >/dev/null || need+=(gcc)
    command -v nginx >/dev/null || need+=(nginx)
    ls /usr/lib/nginx/modules/ngx_stream_module.so >/dev/null 2>&1 || need+=(libnginx-mod-stream)
    command -v haproxy >/dev/null || need+=(haproxy)
    command -v sniproxy >/dev/null || need+=(sniproxy)
    command -v strace >/dev/null || need+=(strace)   # system calls per connection
    [ ${#need[@]} -eq 0 ] && return 0
    if [ "${BENCH_NO_INSTALL:-}" = 1 ] || [ "$(id -u)" -ne 0 ]; then
        log "missing ${need[*]} and not installing (not root or BENCH_NO_INSTALL=1): those peers will be skipped"
        return 0
    fi
    log "installing from Debian's packages: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

raise_nofile() {
    local hard
    hard=$(ulimit -Hn)
    if ulimit -n 65536 2>/dev/null; then :; else
        [ "$hard" = unlimited ] && hard=65536
        ulimit -n "$hard"
        log "ulimit -n 65536 refused (hard limit $hard, no CAP_SYS_RESOURCE): using $hard, enough for 5,000 proxied idle connections (10,000 proxy fds)"
    fi
    NOFILE=$(ulimit -n)
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

build_harness() {
    mkdir -p "$OUT/classes"
    gcc -O2 -Wall -o "$OUT/benchgen" "$SRC/c/benchgen.c"
    gcc -O2 -Wall -o "$OUT/benchup" "$SRC/c/benchup.c"
    javac -d "$OUT/classes" "$SRC/java/lnmbench/HelloCapture.java" "$SRC/java/lnmbench/Report.java" \
        "$SRC/java/lnmbench/BareRelay.java"
    java -cp "$OUT/classes" lnmbench.HelloCapture "$OUT/hello.bin" bench.example >&2
}

build_lnm() {
    local goal=build what=target/lnm.jar
    [ -n "${LNM_CMD:-}" ] && goal=image what="the image (jar, jlink, CDS training run)"
    if [ "${BENCH_SKIP_LNM_BUILD:-}" = 1 ] && [ -f "$JAR" ] && { [ -z "${LNM_CMD:-}" ] || [ -x "$LNM_CMD" ]; }; then return 0; fi
    [ "${LNM_CMD:-}" = "$ROOT/build/image/bin/lnm" ] || [ "$goal" = build ] || goal=build # another launcher: not ours to build
    log "building $what (make $goal)"
    if ! make -s "$goal" >"$OUT/lnm-build.log" 2>&1; then
        STATUS[lnm]="failed: make $goal failed (target/bench/lnm-build.log)"
        log "${STATUS[lnm]}"
        return 0
    fi
}

# ---------------------------------------------------------------- the hello parser micro-benchmark
parser_bench() {
    local cp
    mkdir -p "$OUT/parser-classes"
    if [ -f "$JAR" ] && jar tf "$JAR" 2>/dev/null | grep -q 'lnm/tls/ClientHelloParser.class'; then
        cp=$JAR
    else
        # no jar (or the build is broken): the parser is pure, compile just its two packages
        cp=$OUT/parser-classes
        if ! javac -d "$cp" "$ROOT"/src/main/java/lnm/tls/*.java "$ROOT"/src/main/java/lnm/wire/*.java \
                2>"$OUT/parser-build.log"; then
            log "parser micro-benchmark skipped: lnm.tls does not compile on its own (target/bench/parser-build.log)"
            printf 'parser\tstatus\t0\tskipped: no lnm.tls.ClientHelloParser to measure\n' >>"$RAW"
            return 0
        fi
    fi
    if ! javac -cp "$cp" -d "$OUT/parser-classes" "$SRC/java/lnmbench/HelloParserBench.java" 2>>"$OUT/parser-build.log"; then
        log "parser micro-benchmark did not compile (target/bench/parser-build.log)"
        printf 'parser\tstatus\t0\tfailed: did not compile (parser-build.log)\n' >>"$RAW"
        return 0
    fi
    log "hello parser micro-benchmark (about $((8 + 4 * REPS)) s)"
    timeout 120 java -Xmx256m -XX:+UseSerialGC -cp "$OUT/parser-classes:$cp" lnmbench.HelloParserBench \
        "$OUT/hello.bin" "$REPS" >>"$RAW" 2>"$OUT/parser-bench.log" \
        || printf 'parser\tstatus\t0\tfailed: see target/bench/parser-bench.log\n' >>"$RAW"
}

# ---------------------------------------------------------------- proxies
render() { # template port file [name], substituting @KEY@; name: the target (pid and log files, logging variant)
    local name=${4:-x} access_log="" global_log="" defaults_log=""
    case $name in   # the variants with per-connection logging, for an honest comparison with lnm's audit record
    nginx-log) access_log="log_format bench '\$remote_addr [\$time_iso8601] \$ssl_preread_server_name \$upstream_addr \$status \$bytes_sent \$bytes_received \$session_time'; access_log $OUT/nginx-access.log bench buffer=64k;" ;;
    haproxy-log) global_log="log stdout format raw local0"; defaults_log="log global\n    option tcplog" ;;
    esac
    sed -e "s|@DIR@|$OUT|g" -e "s|@PORT@|$2|g" -e "s|@UP_PORT@|$UP_PORT|g" -e "s|@NOFILE@|$NOFILE|g" \
        -e "s|@HAPROXY_MAXCONN@|$HAPROXY_MAXCONN|g" -e "s|@NGINX_MODULES@|/usr/lib/nginx/modules|g" \
        -e "s|@WORKERS@|$WORKERS|g" -e "s|@NAME@|$name|g" -e "s|@ACCESS_LOG@|$access_log|" \
        -e "s|@GLOBAL_LOG@|$global_log|" -e "s|@DEFAULTS_LOG@|$defaults_log|" "$1" >"$3"
}

start_bg() { # name cmd... ; sets LAST_PID
    local name=$1; shift
    "$@" >"$OUT/$name.log" 2>&1 &
    LAST_PID=$!
    STARTED+=("$LAST_PID")
}

start_target() {
    local t=$1 port=${PORT[$1]}
    if [ "$t" = direct ]; then STATUS[direct]=ok; return 0; fi
    [ -n "${STATUS[$t]:-}" ] && return 0   # already failed (e.g. build)
    if port_open "$port"; then STATUS[$t]="failed: port $port already in use"; return 0; fi
    case $t in
    nginx|nginx-log)
        command -v nginx >/dev/null || { STATUS[$t]="failed: nginx not installed"; return 0; }
        render "$SRC/conf/nginx.conf.in" "$port" "$OUT/$t.conf" "$t"
        [ "$t" = nginx ] || rm -f "$OUT/nginx-access.log"
        start_bg "$t" nginx -e "$OUT/$t-error.log" -p "$OUT" -c "$OUT/$t.conf"
        PIDS[$t]=$LAST_PID ;;
    haproxy|haproxy-log)
        command -v haproxy >/dev/null || { STATUS[$t]="failed: haproxy not installed"; return 0; }
        render "$SRC/conf/haproxy.cfg.in" "$port" "$OUT/$t.cfg" "$t"
        start_bg "$t" haproxy -db -f "$OUT/$t.cfg"   # the log variant's lines go to target/bench/haproxy-log.log
        PIDS[$t]=$LAST_PID ;;
    sniproxy)
        command -v sniproxy >/dev/null || { STATUS[$t]="failed: sniproxy not installed"; return 0; }
        render "$SRC/conf/sniproxy.conf.in" "$port" "$OUT/sniproxy.conf"
        start_bg sniproxy-1 sniproxy -f -c "$OUT/sniproxy.conf"
        PIDS[$t]=$LAST_PID
        start_bg sniproxy-2 sniproxy -f -c "$OUT/sniproxy.conf"
        PIDS[$t]="${PIDS[$t]} $LAST_PID" ;;
    lnm)
        [ -f "$JAR" ] || [ -n "${LNM_CMD:-}" ] || { STATUS[$t]="failed: no target/lnm.jar"; return 0; }
        render "$SRC/conf/lnm.properties.in" "$port" "$OUT/lnm.properties"
        render "$SRC/conf/lnm-allowlist.properties.in" "$port" "$OUT/lnm-allowlist.properties"
        rm -f "$OUT/audit/lnm-audit.jsonl" "$OUT/lnm-gc.log"
        if [ -n "${LNM_CMD:-}" ]; then   # the image's launcher with its own JVM flags
            # plus a GC log, and the attach listener for the class histogram of the idle test
            # (the image turns it off; it costs nothing until jcmd connects)
            LNM_JAVA_OPTS="$LNM_GC_LOG -XX:-DisableAttachMechanism ${LNM_JAVA_OPTS:-}" \
                start_bg lnm "$LNM_CMD" run --config "$OUT/lnm.properties"
        else
            # shellcheck disable=SC2086 # the flags are one word-split variable on purpose
            start_bg lnm java $LNM_JVM_FLAGS $LNM_GC_LOG -jar "$JAR" run --config "$OUT/lnm.properties"
        fi
        PIDS[$t]=$LAST_PID ;;
    floor)   # the least a Java NIO relay does (BareRelay), on lnm's runtime and JVM flags
        # shellcheck disable=SC2046 # the flags are words on purpose
        start_bg floor "$(floor_java)" $(floor_flags) -cp "$OUT/classes" lnmbench.BareRelay "$port" "127.0.0.1:$UP_PORT"
        PIDS[$t]=$LAST_PID ;;
    esac
    local p
    for _ in $(seq 150); do   # up to 15 s, a JVM included
        port_open "$port" && break
        for p in ${PIDS[$t]}; do kill -0 "$p" 2>/dev/null || { STATUS[$t]="failed: exited at start (target/bench/$t*.log)"; return 0; }; done
        sleep 0.1
    done
    port_open "$port" || { STATUS[$t]="failed: not listening on $port after 15 s"; return 0; }
    # sanity: it must route the hello to the upstream and relay the echo
    local r
    r=$("$OUT/benchgen" cps "127.0.0.1:$port" "$OUT/hello.bin" -c 2 -t 1 -w 0.1) || true
    if [[ ! "$r" =~ errors=0 ]] || [[ "$r" =~ count=0 ]]; then
        STATUS[$t]="failed: sanity run: $r"
        return 0
    fi
    STATUS[$t]=ok
    # shellcheck disable=SC2086
    TREE[$t]=$(tree_pids ${PIDS[$t]} | tr '\n' ' ')
}

# The floor target runs on lnm's runtime: the image's bin/java when lnm runs from the image (the
# launcher's lib/lnm.jvmflags too: heap, young generation, GC, code cache, native-heap trimming,
# no perf data), else the JDK's java with the jar's bench flags.
floor_java() {
    local j
    j=$(dirname "$(readlink -f "${LNM_CMD:-/nonexistent}")")/java
    if [ -n "${LNM_CMD:-}" ] && [ -x "$j" ]; then echo "$j"; else echo java; fi
}
floor_flags() {
    local f=${LNM_CMD:-}
    f=${f%/bin/*}/lib/lnm.jvmflags
    if [ -n "${LNM_CMD:-}" ] && [ -f "$f" ]; then sed -e 's/#.*//' "$f" | xargs; else echo "$LNM_JVM_FLAGS"; fi
}

rss_kb() { # sum of VmRSS over the given pids
    local total=0 p k v _
    for p in "$@"; do
        while read -r k v _; do
            [ "$k" = VmRSS: ] && total=$((total + v)) && break
        done <"/proc/$p/status" 2>/dev/null || true
    done
    echo "$total"
}

tree_pids() { # the pids and all their descendants (taken once: the proxies fork nothing later)
    local p kids
    for p in "$@"; do
        echo "$p"
        kids=$(ps -o pid= --ppid "$p" 2>/dev/null | tr '\n' ' ')
        # shellcheck disable=SC2086
        if [ -n "${kids// /}" ]; then tree_pids $kids; fi
    done
    return 0
}

cpu_ticks() { # utime+stime (all threads) summed over the given pids; builtins only, as it runs around every measurement
    local total=0 p line f
    for p in "$@"; do
        read -r line <"/proc/$p/stat" 2>/dev/null || continue
        read -ra f <<<"${line##*) }"
        total=$((total + f[11] + f[12]))
    done
    echo "$total"
}

secs() { printf '%d.%02d' $(($1 / HZ)) $((($1 % HZ) * 100 / HZ)); }

# ---------------------------------------------------------------- measurements
gen() { # target test rep args...
    local t=$1 test=$2 rep=$3; shift 3
    local r p0=0 p1=0 u0 u1
    # shellcheck disable=SC2086
    [ "$t" = direct ] || p0=$(cpu_ticks ${TREE[$t]})
    u0=$(cpu_ticks "$UP_PID")
    r=$("$OUT/benchgen" "$@" 2>>"$OUT/benchgen.err") || r="failed exit=$?"
    # shellcheck disable=SC2086
    [ "$t" = direct ] || p1=$(cpu_ticks ${TREE[$t]})
    u1=$(cpu_ticks "$UP_PID")
    r="$r proxy_cpu_s=$(secs $((p1 - p0))) up_cpu_s=$(secs $((u1 - u0)))"
    printf '%s\t%s\t%s\t%s\n' "$t" "$test" "$rep" "$r" >>"$RAW"
    log "$(printf '%-8s %-7s #%s %s' "$t" "$test" "$rep" "$r")"
}

# One short unrecorded round first: a JVM compiles its hot paths during the first seconds of
# each kind of load, and an appliance in service is warm. (Cold numbers: see the first rounds
# in target/bench/*.log if ever needed; they are not what the targets are about.)
warm_up() {
    local t addr
    for t in $TARGETS; do
        [ "${STATUS[$t]}" = ok ] || continue
        addr=127.0.0.1:${PORT[$t]}
        log "$t: warm-up (not recorded)"
        # cps longest: its code paths are the most numerous, and C2 was seen still compiling
        # them after 25 s on a busy 2-core machine (CPU per connection fell from ~300 to ~160 µs)
        "$OUT/benchgen" bulk "$addr" "$OUT/hello.bin" -n 50 -t 2 -w 0.1 >/dev/null 2>&1 || true
        "$OUT/benchgen" bulk "$addr" "$OUT/hello.bin" -n 1 -t 1 -w 0.1 >/dev/null 2>&1 || true
        "$OUT/benchgen" cps "$addr" "$OUT/hello.bin" -c 32 -t 6 -w 0.1 >/dev/null 2>&1 || true
        "$OUT/benchgen" rtt "$addr" "$OUT/hello.bin" -n 8 -t 2 -w 0.1 >/dev/null 2>&1 || true
    done
}

run_rounds() {
    local rep t test addr
    for rep in $(seq "$REPS"); do
        for test in bulk1 bulk50 cps rtt; do
            for t in $TARGETS; do
                [ "${STATUS[$t]}" = ok ] || continue
                addr=127.0.0.1:${PORT[$t]}
                case $test in
                bulk1)  gen "$t" "$test" "$rep" bulk "$addr" "$OUT/hello.bin" -n 1 -t "$DUR" -w "$WARM" ;;
                bulk50) gen "$t" "$test" "$rep" bulk "$addr" "$OUT/hello.bin" -n 50 -t "$DUR" -w "$WARM" ;;
                cps)    gen "$t" "$test" "$rep" cps "$addr" "$OUT/hello.bin" -c 32 -t "$DUR" -w "$WARM" ;;
                rtt)    gen "$t" "$test" "$rep" rtt "$addr" "$OUT/hello.bin" -n 8 -m 64 -t "$DUR" -w "$WARM" ;;
                esac
                sleep 0.2
            done
        done
    done
}

lnm_jdk() { # the JDK whose jcmd talks to lnm's JVM: the one of its major version (an image has no jcmd)
    local java=java major j
    [ -n "${LNM_CMD:-}" ] && java=$(dirname "$(readlink -f "$LNM_CMD")")/java
    major=$("$java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    for j in /usr/lib/jvm/*; do
        [ -x "$j/bin/jcmd" ] && [ "$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$j/release" 2>/dev/null)" = "$major" ] && { echo "$j"; return 0; }
    done
    dirname "$(dirname "$(readlink -f "$(command -v jcmd)")")"
}

live_heap_kb() { # pid file: live Java heap in kB from a class histogram (forces a full GC)
    timeout 30 "$(lnm_jdk)/bin/jcmd" "$1" GC.class_histogram >"$2" 2>&1 || { echo 0; return 0; }
    awk '/^Total/{printf "%d", $3/1024}' "$2"
}

run_idle() { # target: RSS before and while holding IDLE_CONNS connections
    local t=$1 before after=0 f=$OUT/idle-$1.out pid line heap_held="" extra=""
    sleep 1
    # shellcheck disable=SC2086
    before=$([ "$t" = direct ] && echo 0 || rss_kb ${TREE[$t]})
    : >"$f"
    "$OUT/benchgen" idle "127.0.0.1:${PORT[$t]}" "$OUT/hello.bin" -n "$IDLE_CONNS" -c 200 -t 60 -H 30 \
        >"$f" 2>>"$OUT/benchgen.err" &
    pid=$!
    STARTED+=("$pid")
    for _ in $(seq 700); do grep -q READY "$f" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if grep -q READY "$f"; then
        sleep 1.5   # let the proxy settle (buffers returned, GC) before reading its RSS
        # shellcheck disable=SC2086
        after=$([ "$t" = direct ] && echo 0 || rss_kb ${TREE[$t]})
        # the JVM's RSS hides objects placed in heap it had already touched: also count the live
        # heap (a full GC, after the RSS was read) with the connections held and once they are gone
        [ "$t" = lnm ] && heap_held=$(live_heap_kb "${PIDS[lnm]}" "$OUT/lnm-histogram-held.txt")
    fi
    kill -USR1 "$pid" 2>/dev/null || true
    wait "$pid" || true
    forget "$pid"
    if [ "$t" = lnm ] && [ -n "$heap_held" ]; then
        sleep 2
        extra=" heap_live_held_kb=$heap_held heap_live_closed_kb=$(live_heap_kb "${PIDS[lnm]}" "$OUT/lnm-histogram-closed.txt")"
    fi
    line=$(grep mode=idle "$f" || echo "failed: $(tr '\n' ' ' <"$f")")
    printf '%s\tidle\t1\trss_before_kb=%s rss_after_kb=%s %s%s\n' "$t" "$before" "$after" "$line" "$extra" >>"$RAW"
    log "$(printf '%-8s idle    rss %s kB -> %s kB  %s' "$t" "$before" "$after" "$line")"
    sleep 1   # the connections are gone; let the proxy close its side too
}

# System calls per connection, counted the same way for every proxy: strace -c -f attached to
# all its processes (every thread of the JVM, nginx's master and workers) while benchgen runs
# the conn/s test for SYSCALL_SECONDS, divided by the connections benchgen completed. strace
# slows the proxy a lot, so this runs apart from the rates, after them; the count per
# connection is what it is about. The per-call breakdown is in target/bench/strace-TARGET.txt.
count_syscalls() { # target
    local t=$1 args=() p spid r conns calls top f=$OUT/strace-$1.txt
    command -v strace >/dev/null || { log "strace not installed: no system call counts"; return 0; }
    # shellcheck disable=SC2086
    for p in ${TREE[$t]}; do args+=(-p "$p"); done
    strace -c -f -qq -o "$f" "${args[@]}" 2>"$OUT/strace-$t.err" &
    spid=$!
    STARTED+=("$spid")
    sleep 1.5   # attached to every thread before the first connection
    r=$("$OUT/benchgen" cps "127.0.0.1:${PORT[$t]}" "$OUT/hello.bin" -c 32 -t "$SYSCALL_SECONDS" -w 0 2>>"$OUT/benchgen.err") || true
    kill -INT "$spid" 2>/dev/null || true
    wait "$spid" 2>/dev/null || true
    forget "$spid"
    conns=$(sed -n 's/.*total=\([0-9]*\).*/\1/p' <<<"$r")
    calls=$(awk '$NF == "total" { print $4 }' "$f" 2>/dev/null)
    if [ -z "$calls" ] || [ -z "$conns" ] || [ "$conns" -eq 0 ]; then
        log "$t: system calls not counted (strace: $(head -c 200 "$OUT/strace-$t.err"); benchgen: $r)"
        return 0
    fi
    # the top calls per connection, for the report: name:count/conn,...
    top=$(awk -v n="$conns" '$1 ~ /^[0-9.]+$/ && $NF != "total" { printf "%s:%.2f\n", $NF, $4 / n }' "$f" |
        sort -t: -k2 -rn | head -12 | paste -sd, -)
    printf '%s\tsyscalls\t1\tcalls=%s conns=%s seconds=%s top=%s\n' "$t" "$calls" "$conns" "$SYSCALL_SECONDS" "$top" >>"$RAW"
    log "$(printf '%-8s syscalls %s calls / %s connections = %s per connection' "$t" "$calls" "$conns" \
        "$(awk -v c="$calls" -v n="$conns" 'BEGIN { printf "%.1f", c / n }')")"
}

# ---------------------------------------------------------------- main
main() {
    mkdir -p "$OUT"
    RAW=$OUT/raw.tsv
    : >"$RAW"
    : >"$OUT/benchgen.err"
    local t0=$SECONDS
    install_deps
    raise_nofile
    HAPROXY_MAXCONN=$(( (NOFILE - 200) / 2 > 20000 ? 20000 : (NOFILE - 200) / 2 ))
    build_harness
    case " $TARGETS " in *" lnm "*) build_lnm ;; esac
    parser_bench

    {
        echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "nproc=$(nproc)"
        echo "cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
        echo "kernel=$(uname -r)"
        echo "mem=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
        echo "nofile=$NOFILE"
        echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
        echo "seconds=$DUR"
        echo "warmup=$WARM"
        echo "reps=$REPS"
        echo "idle_conns=$IDLE_CONNS"
        echo "lnm_version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$ROOT/pom.xml" | head -1)"
        if [ -n "${LNM_CMD:-}" ]; then
            local flags=${LNM_CMD%/bin/*}/lib/lnm.jvmflags
            echo "lnm_mode=image"
            echo "lnm_jvm_flags=${LNM_CMD#"$ROOT"/} with $(if [ -f "$flags" ]; then sed -e 's/#.*//' "$flags" | xargs; else echo "its own flags"; fi)"
            echo "java=$("$(dirname "$(readlink -f "$LNM_CMD")")/java" -version 2>&1 | sed -n 2p)"
        else
            echo "lnm_mode=jar"
            echo "lnm_jvm_flags=$LNM_JVM_FLAGS"
            echo "java=$(java -version 2>&1 | head -1)"
        fi
        echo "lnm_jar_flags=$LNM_JVM_FLAGS"
        echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
        echo "haproxy=$(haproxy -v 2>/dev/null | head -1 | awk '{print $3}')"
        echo "sniproxy=$(sniproxy -V 2>&1 | head -1 | awk '{print $2}')"
    } >"$OUT/meta.properties"

    HZ=$(getconf CLK_TCK)
    if port_open "$UP_PORT"; then log "port $UP_PORT (upstream) is already in use: stop whatever holds it"; exit 1; fi
    start_bg benchup "$OUT/benchup" "$UP_PORT" 1200
    UP_PID=$LAST_PID
    for _ in $(seq 50); do port_open "$UP_PORT" && break; sleep 0.1; done
    port_open "$UP_PORT" || { log "upstream did not start"; exit 1; }

    local t
    for t in $TARGETS; do
        start_target "$t"
        log "$t: ${STATUS[$t]}"
        printf '%s\tstatus\t0\t%s\n' "$t" "${STATUS[$t]}" >>"$RAW"
    done
    for t in $TARGETS; do
        [ "${STATUS[$t]}" = ok ] || continue
        # shellcheck disable=SC2086
        [ "$t" = direct ] || printf '%s\trss_fresh\t0\trss_kb=%s\n' "$t" "$(rss_kb ${TREE[$t]})" >>"$RAW"
    done

    warm_up
    run_rounds
    for t in $TARGETS; do
        [ "${STATUS[$t]}" = ok ] && run_idle "$t"
    done
    if [ "$SYSCALL_SECONDS" != 0 ]; then
        for t in $TARGETS; do
            [ "$t" != direct ] && [ "${STATUS[$t]}" = ok ] && count_syscalls "$t"
        done
    fi

    echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/meta.properties"
    if [ "${STATUS[lnm]:-}" = ok ]; then
        echo "lnm_audit_records=$(wc -l <"$OUT/audit/lnm-audit.jsonl" 2>/dev/null || echo 0)" >>"$OUT/meta.properties"
        echo "lnm_gc_events=$(grep -c 'Pause' "$OUT/lnm-gc.log" 2>/dev/null || echo 0)" >>"$OUT/meta.properties"
    fi
    stop_all
    echo "elapsed_s=$((SECONDS - t0))" >>"$OUT/meta.properties"
    java -cp "$OUT/classes" lnmbench.Report "$OUT"
    # then the per-core run (each proxy pinned to one core): BENCH_CORE=0 skips it
    if [ "${BENCH_CORE:-1}" != 0 ]; then
        BENCH_SKIP_LNM_BUILD=1 bash "$SRC/core.sh"
    fi
}

# core.sh sources this file for its functions and runs its own main
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main "$@"; fi
