#!/usr/bin/env bash
# Measures lnm's start time: from exec of the launcher to the first TCP connection its TLS
# listener accepts, on 127.0.0.1. Prints each run and the median, in milliseconds.
#
#   startup-time.sh [LAUNCHER] [RUNS]        (default build/image/bin/lnm, 21 runs)
#
# LNM_JAVA_OPTS passes through (e.g. LNM_JAVA_OPTS=-Xshare:off to see what CDS saves).
# The poll is bash's own /dev/tcp (no fork per attempt) every 2 ms, so the figure is at most
# about 2 ms late.
set -uo pipefail
lnm=${1:-build/image/bin/lnm}
runs=${2:-21}
dir=$(mktemp -d "${TMPDIR:-/tmp}/lnm-start.XXXXXX")
trap 'rm -rf "$dir"' EXIT
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % ($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 10000))) # below the ephemeral range: a connect() there cannot self-connect
    { : 3<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
port=$(free_port) admin=$(free_port)
cat >"$dir/lnm.properties" <<EOF
level = 4
listen.https = 127.0.0.1:$port
allowlist = allowlist.properties
audit.file = audit.jsonl
admin.listen = 127.0.0.1:$admin
EOF
echo 'example.com = direct' >"$dir/allowlist.properties"
"$lnm" check --config "$dir/lnm.properties" >/dev/null || { echo "startup-time: lnm check rejects the config" >&2; exit 1; }
mkfifo "$dir/tick"
exec 9<>"$dir/tick" # read -t on it is a sleep without a fork

times=() cpus=()
for i in $(seq "$runs"); do
  t0=$EPOCHREALTIME
  "$lnm" run --config "$dir/lnm.properties" 2>"$dir/run.err" &
  pid=$!
  ok=0
  while kill -0 "$pid" 2>/dev/null; do
    if { : 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then ok=1; break; fi
    read -r -t 0.002 -u 9 _
  done
  t1=$EPOCHREALTIME
  # CPU time (user + system) the JVM used until then: a figure that other load on the
  # machine disturbs much less than the wall-clock one
  cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.0f", ($12 + $13) * 1000 / hz }' "/proc/$pid/stat" 2>/dev/null)
  kill -TERM "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  [ "$ok" -eq 1 ] || { echo "startup-time: lnm run exited: $(head -c 500 "$dir/run.err")" >&2; exit 1; }
  ms=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) * 1000 }')
  times+=("$ms")
  cpus+=("${cpu:-0}")
  echo "run $i: $ms ms (cpu $cpu ms)"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
min=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
max=$(printf '%s\n' "${times[@]}" | sort -n | tail -1)
cpu_median=$(printf '%s\n' "${cpus[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "median ${median} ms, cpu ${cpu_median} ms (min $min, max $max, $runs runs) exec -> accepting on 127.0.0.1:$port; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
