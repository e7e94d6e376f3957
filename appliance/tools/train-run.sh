#!/usr/bin/env bash
# Training run for the CDS archive: starts `lnm run` on loopback with a throwaway config,
# drives the code paths a real start takes (ClientHello parse, deny and allow decisions,
# audit, admin page, reload, drain), and records the classes loaded.
#
#   train-run.sh LAUNCHER CLASSLIST_OUT WORKDIR
#
# Exits 1 (and the image is built from the other training runs) when `lnm run` is not
# available or does not accept the throwaway config. Traffic stays on 127.0.0.1.
set -uo pipefail
lnm=${1:?} list=${2:?} dir=${3:?}
say() { echo "train-run: $*" >&2; }
mkdir -p "$dir"

free_port() { # a port nothing listens on (bash's /dev/tcp, no extra tools)
  local p
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % ($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 10000))) # below the ephemeral range: a connect() there cannot self-connect
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
tls_port=$(free_port) && admin_port=$(free_port) && closed_port=$(free_port) || exit 1

cat >"$dir/lnm.properties" <<EOF
level = 4
listen.https = 127.0.0.1:$tls_port
listen.https.mode = tls
allowlist = allowlist.properties
audit.file = audit.jsonl
admin.listen = 127.0.0.1:$admin_port
EOF
# a fixed target and a direct rule: both kinds of destination are loaded at every start
cat >"$dir/allowlist.properties" <<EOF
allowed.training.invalid = 127.0.0.1:$closed_port
*.direct.training.invalid = direct
EOF

"$lnm" check --config "$dir/lnm.properties" >"$dir/check.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
  say "skipped: lnm check on the training config exits $rc: $(head -c 300 "$dir/check.out")"
  exit 1
fi

LNM_JAVA_OPTS="-Xshare:off -XX:DumpLoadedClassList=$list" \
  "$lnm" run --config "$dir/lnm.properties" 2>"$dir/run.err" &
pid=$!
up=0
for _ in $(seq 300); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$tls_port") 2>/dev/null; then up=1; break; fi
  sleep 0.05
done
if [ "$up" -ne 1 ]; then
  kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  say "skipped: lnm run did not listen on 127.0.0.1:$tls_port: $(head -c 300 "$dir/run.err")"
  exit 1
fi

client_hello() { bash "$(dirname "$0")/client-hello.sh" "$1"; }
talk() { # talk PORT: send stdin, read the answer until close (at most 3 s)
  timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0; cat >&3; cat <&3 >/dev/null' _ "$1" 2>/dev/null
}
client_hello denied.training.invalid | talk "$tls_port"
client_hello allowed.training.invalid | talk "$tls_port"
printf 'not tls\r\n' | talk "$tls_port"
for path in /metrics /healthz /readyz /; do
  printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" | talk "$admin_port"
done
kill -HUP "$pid" 2>/dev/null
sleep 0.5
client_hello denied.training.invalid | talk "$tls_port"
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$pid" 2>/dev/null; then
  kill -KILL "$pid"; wait "$pid" 2>/dev/null
  say "lnm run did not exit within 10 s of SIGTERM; its class list is still used"
else
  wait "$pid"; rc=$?
  [ "$rc" -eq 0 ] || say "lnm run exited $rc after SIGTERM (expected 0)"
fi
[ -s "$list" ] || exit 1
say "recorded $(grep -vc '^#' "$list") classes"
