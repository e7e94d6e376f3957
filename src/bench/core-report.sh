#!/usr/bin/env bash
# The per-core benchmark's Markdown report, from the files src/bench/core.sh leaves in its
# directory (core-raw.tsv, meta.properties): per core count, one row per proxy and variant with
# the medians over the rounds, then lnm's CPU by thread. Usage: core-report.sh [DIR]
# (default target/bench/core). Plain awk (mawk), no gawk extensions.
set -euo pipefail
DIR=${1:-$(cd "$(dirname "$0")/../.." && pwd)/target/bench/core}
RAW=$DIR/core-raw.tsv
[ -f "$RAW" ] || { echo "core-report: no $RAW (run src/bench/core.sh first)" >&2; exit 1; }
meta() { sed -n "s/^$1=//p" "$DIR/meta.properties" 2>/dev/null | head -1; }

echo "# Per-core benchmark"
echo
echo "$(meta date), $(meta nproc) cores ($(meta cpu)), kernel $(meta kernel), load $(meta load_start) at start, $(meta load_end) at the end."
echo "Conn/s test, $(meta concurrency) connections in flight; warm-up $(meta warmup) s per proxy, then $(meta reps) rounds of $(meta seconds) s"
echo "(proxies interleaved), medians. nginx $(meta nginx), HAProxy $(meta haproxy), lnm: $(meta lnm)."
[ -n "$(meta floor)" ] && echo "floor: $(meta floor), the least a single-threaded Java NIO relay does (src/bench/java/lnmbench/BareRelay.java)."
echo "CPU: utime+stime of the proxy's whole process tree over the window; context switches: every"
echo "thread's voluntary + involuntary (in brackets: involuntary); system calls: a separate $(meta syscall_seconds) s run under \`strace -c -f\`$(
    [ "$(meta perf_syscalls)" = 1 ] && echo " (in brackets: another one counted by perf's \`raw_syscalls:sys_enter\` tracepoint, at full rate)")."
echo

awk -F'\t' '
function kv(s, k,    i, n, a) {   # value of key k in "k1=v1 k2=v2 ..."
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) if (index(a[i], k "=") == 1) return substr(a[i], length(k) + 2)
    return ""
}
function median(list,    n, a, i, j, t) {
    n = split(list, a, " ")
    if (n == 0) return ""
    for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function add(key, v) { if (key in vals) vals[key] = vals[key] " " v; else vals[key] = v }
BEGIN {
    label["nginx"] = "nginx|as shipped, no log"
    label["nginx-log"] = "nginx|`access_log` buffer=64k"
    label["haproxy"] = "HAProxy|as shipped, no log"
    label["haproxy-log"] = "HAProxy|`log stdout`, `option tcplog`"
    label["sniproxy"] = "sniproxy|as shipped"
    label["lnm"] = "lnm|audit log on"
    label["floor"] = "floor|bare Java NIO relay, no log"
}
{
    c = $1; t = $2; kind = $3; rest = $5
    if (!(c in seen)) { seen[c] = 1; order[++ncores] = c }
    if (kind == "skipped") { skipped[c] = rest; next }
    if (kind == "status") { if (!((c, t) in tseen)) { tseen[c, t] = 1; targets[c] = targets[c] " " t }; status[c, t] = rest; next }
    if (kind == "run") {
        if (rest ~ /^failed/) { failed[c, t]++; next }
        split("cps cpu_us user_us sys_us vol_cs invol_cs proxy_cpu_pct gen_cpu_pct up_cpu_pct", ks, " ")
        for (i in ks) add(c SUBSEP t SUBSEP ks[i], kv(rest, ks[i]))
        if ((c, t) in rounds) rounds[c, t] = rounds[c, t] ", " kv(rest, "cps"); else rounds[c, t] = kv(rest, "cps")
        next
    }
    if (kind == "syscalls") { sc[c, t] = kv(rest, "calls") / kv(rest, "conns"); next }
    if (kind == "perfsyscalls") { ps[c, t] = kv(rest, "calls") / kv(rest, "conns"); next }
    if (kind == "thread") {   # per JVM target (lnm, floor): its threads by name
        name = substr(rest, index(rest, "name=") + 5)
        if (!((c, t) in jvmseen)) { jvmseen[c, t] = 1; jvms[c] = jvms[c] " " t }
        if (!((c, t, name) in thseen)) { thseen[c, t, name] = 1; if ((c, t) in names) names[c, t] = names[c, t] SUBSEP name; else names[c, t] = name }
        add(c SUBSEP t SUBSEP "thr" SUBSEP name, kv(rest, "us")); add(c SUBSEP t SUBSEP "thrcs" SUBSEP name, kv(rest, "cs"))
        thn[c, t, name] = kv(rest, "threads")
        next
    }
    if (kind == "audit" || kind == "log") { records[c, t] = rest; next }
}
END {
    for (o = 1; o <= ncores; o++) {
        c = order[o]
        printf "## %s core%s per proxy\n\n", c, c == 1 ? "" : "s"
        if (c in skipped) { printf "Skipped: %s cores cannot give the proxy %s core%s and the generator and upstream cores of their own.\n\n", substr(skipped[c], 7), c, c == 1 ? "" : "s"; continue }
        printf "Proxy pinned to cpu %s with %s worker%s/thread%s; generator and upstream on the other cores.\n\n", c == 1 ? "0" : "0-" (c - 1), c, c == 1 ? "" : "s", c == 1 ? "" : "s"
        print "| proxy | variant | conn/s | CPU µs/conn | user µs | sys µs | syscalls/conn strace (perf) | ctx sw/conn (invol) | conn/s vs nginx | CPU vs nginx | proxy CPU % | generator CPU % | conn/s rounds |"
        print "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
        base_cps = median(vals[c, "nginx", "cps"]); base_cpu = median(vals[c, "nginx", "cpu_us"])
        n = split(substr(targets[c], 2), ts, " ")
        for (i = 1; i <= n; i++) {
            t = ts[i]; split(label[t] ? label[t] : t "|", lb, "|")
            if (status[c, t] != "ok") { printf "| %s | %s | %s |||||||||||\n", lb[1], lb[2], status[c, t]; continue }
            if (!((c, t, "cps") in vals)) { printf "| %s | %s | all rounds failed |||||||||||\n", lb[1], lb[2]; continue }
            cps = median(vals[c, t, "cps"]); cpu = median(vals[c, t, "cpu_us"])
            vol = median(vals[c, t, "vol_cs"]); inv = median(vals[c, t, "invol_cs"])
            printf "| %s | %s | %.0f | %.1f | %.1f | %.1f | %s | %.2f (%.2f) | %s | %s | %.0f | %.0f | %s |\n", lb[1], lb[2], cps, cpu,
                median(vals[c, t, "user_us"]), median(vals[c, t, "sys_us"]),
                (((c, t) in sc) ? sprintf("%.1f", sc[c, t]) : "–") (((c, t) in ps) ? sprintf(" (%.1f)", ps[c, t]) : ""), vol + inv, inv,
                (base_cps > 0 ? sprintf("%.2f", cps / base_cps) : "–"), (base_cpu > 0 ? sprintf("%.2f", cpu / base_cpu) : "–"),
                median(vals[c, t, "proxy_cpu_pct"]), median(vals[c, t, "gen_cpu_pct"]), rounds[c, t] (failed[c, t] ? " (" failed[c, t] " failed)" : "")
        }
        print ""
        for (i = 1; i <= n; i++) if ((c, ts[i]) in records) printf "%s wrote %s per-connection records (%s).\n", ts[i], kv(records[c, ts[i]], "records") kv(records[c, ts[i]], "lines"), ts[i] == "lnm" ? "audit log" : "access log"
        print ""
        if (status[c, "lnm"] == "ok" && status[c, "floor"] == "ok" && (c, "lnm", "cpu_us") in vals && (c, "floor", "cpu_us") in vals) {
            fl = median(vals[c, "floor", "cpu_us"]); ln = median(vals[c, "lnm", "cpu_us"])
            printf "lnm is %.1f µs/conn above the floor (user %+.1f, sys %+.1f)", ln - fl,
                median(vals[c, "lnm", "user_us"]) - median(vals[c, "floor", "user_us"]), median(vals[c, "lnm", "sys_us"]) - median(vals[c, "floor", "sys_us"])
            if (((c, "lnm") in sc) && ((c, "floor") in sc)) printf ", %+.1f system calls/conn (strace)", sc[c, "lnm"] - sc[c, "floor"]
            printf "; the floor is %s nginx'"'"'s CPU per connection.\n\n", (base_cpu > 0 ? sprintf("%.2fx", fl / base_cpu) : "–")
        }
        nj = split(substr(jvms[c], 2), js, " ")
        for (jj = 1; jj <= nj; jj++) {
        t = js[jj]
        printf "%s CPU by thread (%s core%s; per connection, medians over the rounds; threads of one name summed):\n\n", t, c, c == 1 ? "" : "s"
        print "| thread | CPU µs/conn | share | ctx sw/conn | threads |"
        print "|---|---:|---:|---:|---:|"
        m = split(names[c, t], nm, SUBSEP); total = 0
        for (i = 1; i <= m; i++) { us[i] = median(vals[c, t, "thr", nm[i]]); total += us[i] }
        for (i = 1; i <= m; i++) {   # largest first (selection: a few dozen names)
            best = 0
            for (j = 1; j <= m; j++) if (!(j in done) && (best == 0 || us[j] > us[best])) best = j
            done[best] = 1
            if (us[best] == 0 && median(vals[c, t, "thrcs", nm[best]]) == 0) continue
            printf "| %s | %.2f | %.1f%% | %.3f | %s |\n", nm[best], us[best], (total > 0 ? 100 * us[best] / total : 0),
                median(vals[c, t, "thrcs", nm[best]]), thn[c, t, nm[best]]
        }
        delete done
        printf "| (all threads) | %.2f | 100%% | | |\n\n", total
        }
    }
}' "$RAW"

# System calls by name, per connection, from the strace -c -f runs' files (the last core set's):
# which calls lnm makes that the floor does not, with nginx for reference.
if [ -f "$DIR/strace-lnm.txt" ] && [ -f "$DIR/strace-floor.txt" ]; then
    files=() head="| call |" rule="|---|"
    for t in nginx floor lnm; do
        [ -f "$DIR/strace-$t.txt" ] || continue
        files+=("$DIR/strace-$t.txt") head="$head $t |" rule="$rule---:|"
    done
    echo "System calls per connection by name (strace -c -f runs; the calls lnm and the floor make"
    echo "equally often, within 0.05, are left out):"
    echo
    echo "$head lnm − floor |"
    echo "$rule---:|"
    awk '
    FNR == 1 { t = FILENAME; sub(/.*strace-/, "", t); sub(/\.txt$/, "", t); if (FILENAME !~ /core-raw.tsv$/) cols[++nc] = t }
    FILENAME ~ /core-raw.tsv$/ { if ($3 == "syscalls") for (i = 4; i <= NF; i++) if ($i ~ /^conns=/) conns[$2] = substr($i, 7); next }
    $1 ~ /^[0-9.]+$/ && NF >= 5 && $NF != "total" { calls[t, $NF] = $4; seen[$NF] = 1 }
    END {
        for (k in seen) {
            if (!(conns["lnm"] > 0 && conns["floor"] > 0)) break
            d = calls["lnm", k] / conns["lnm"] - calls["floor", k] / conns["floor"]
            if (d > -0.05 && d < 0.05) continue
            line = "| " k " |"
            for (i = 1; i <= nc; i++) line = line sprintf(" %.2f |", (conns[cols[i]] > 0 ? calls[cols[i], k] / conns[cols[i]] : 0))
            printf "%012.2f\t%s %+.2f |\n", 100000 - d, line, d   # sort key: largest difference first
        }
    }' "$RAW" "${files[@]}" | sort | cut -f2-
    echo
fi
