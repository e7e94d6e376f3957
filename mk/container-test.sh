#!/usr/bin/env bash
# The container image and the manifests, run for real with Podman (as root):
#  1. `podman run --read-only` of the image relays a TLS hello from a published loopback port
#     to an upstream in the container's own network namespace; as user 65532, no shell inside;
#  2. a ConfigMap update as the kubelet makes it (new timestamped folder, ..data link renamed
#     over, old folder deleted), twice, is reloaded by the running container;
#  3. `podman kube play` of deploy/kubernetes (ConfigMap, Deployment, Service) starts a pod
#     that answers /readyz and /healthz and refuses a name that is not allowlisted.
# Every name carries a unique suffix; everything is removed on exit. Loops are bounded.
#
#   container-test.sh IMAGE_TAG
set -euo pipefail
tag=${1:?usage: container-test.sh IMAGE_TAG}
here=$(cd "$(dirname "$0")/.." && pwd)
id=k8s$$$RANDOM
work=$(mktemp -d "${TMPDIR:-/tmp}/lnm-ct.XXXXXX")
ctr=lnm-ct-$id
server_pid=
say() { echo "container-test: $*" >&2; }
fail() { say "FAIL: $*"; podman logs "$ctr" 2>&1 | tail -20 >&2 || true; exit 1; }
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  podman rm -f -t 0 "$ctr" >/dev/null 2>&1 || true
  [ -f "$work/play.yaml" ] && podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  rm -rf "$work"
}
[ -n "${KEEP:-}" ] || trap cleanup EXIT

# until CMD succeeds, at most N tries half a second apart
retry() {
  local n=$1; shift
  for ((i = 0; i < n; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.5
  done
  return 1
}

# --- 1. podman run --read-only relays a hello ------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=upstream-$id" \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1
# the ConfigMap volume exactly as the kubelet lays it out
mnt=$work/config
payload() { # folder allowlist-line
  mkdir -p "$mnt/$1"
  printf '%s\n' 'listen.https = 0.0.0.0:8443' 'allowlist = allowlist.properties' 'audit.file = -' \
    'admin.listen = 0.0.0.0:9090' >"$mnt/$1/lnm.properties"
  printf '%s\n' "$2" >"$mnt/$1/allowlist.properties"
}
payload ..2026_11_30_13_00_00.000000001 'one.test.internal = 127.0.0.1:9443'
ln -s ..2026_11_30_13_00_00.000000001 "$mnt/..data"
ln -s ..data/lnm.properties "$mnt/lnm.properties"
ln -s ..data/allowlist.properties "$mnt/allowlist.properties"
chmod -R a+rX "$work"

podman run -d --read-only --name "$ctr" --cap-drop ALL \
  -p 127.0.0.1::8443 -p 127.0.0.1::9090 -v "$mnt:/etc/lnm:ro" "$tag" >/dev/null
tls_port=$(podman port "$ctr" 8443/tcp | head -1 | sed 's/.*://')
admin_port=$(podman port "$ctr" 9090/tcp | head -1 | sed 's/.*://')
[ -n "$tls_port" ] && [ -n "$admin_port" ] || fail "no published ports"
retry 120 curl -fsS "http://127.0.0.1:$admin_port/readyz" || fail "/readyz did not answer within 60 s"

# the upstream: a TLS server on loopback inside the container's own network namespace
pid=$(podman inspect -f '{{.State.Pid}}' "$ctr")
nsenter -t "$pid" -n openssl s_server -quiet -accept 127.0.0.1:9443 -cert "$work/cert.pem" -key "$work/key.pem" \
  </dev/null >/dev/null 2>&1 &
server_pid=$!
hello() { # SNI -> the upstream certificate's subject, through lnm's published port
  timeout 10 openssl s_client -connect "127.0.0.1:$tls_port" -servername "$1" </dev/null 2>/dev/null |
    grep -q "CN *= *upstream-$id"
}
retry 40 hello one.test.internal || fail "no TLS hello relayed to the upstream"
hello other.test.internal && fail "a name that is not allowlisted was relayed"
say "ok: podman run --read-only relays a TLS hello (published 127.0.0.1:$tls_port)"

[ "$(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$ctr")" = true ] || fail "root filesystem not read-only"
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" = 65532 ] || fail "runs as uid $uid, not 65532"
podman exec "$ctr" /bin/sh -c true >/dev/null 2>&1 && fail "the image has a shell"
podman logs "$ctr" 2>/dev/null | grep -q '"sni":"one.test.internal".*"decision":"allow"' ||
  podman logs "$ctr" 2>/dev/null | grep '"sni":"one.test.internal"' | grep -q '"decision":"allow"' ||
  fail "no audit record of the allowed connection on stdout"
say "ok: uid 65532, read-only root, no shell, audit records on stdout"

# --- 2. the kubelet's ConfigMap update, twice ------------------------------------------------
reloads() { curl -fsS "http://127.0.0.1:$admin_port/metrics" | awk '/^lnm_config_reloads_total\{result="success"\}/ { print $2 }'; }
swap() { # new-folder allowlist-line
  local old; old=$(readlink "$mnt/..data")
  payload "$1" "$2"; chmod -R a+rX "$mnt/$1"
  ln -s "$1" "$mnt/..data_tmp"
  mv -T "$mnt/..data_tmp" "$mnt/..data" # rename(2): one atomic swap
  rm -rf "${mnt:?}/$old"
}
swap ..2026_11_30_13_05_00.000000002 'two.test.internal = 127.0.0.1:9443'
retry 40 hello two.test.internal || fail "the first ConfigMap swap was not reloaded within 20 s"
hello one.test.internal && fail "the old allowlist is still in force after the swap"
swap ..2026_11_30_13_10_00.000000003 'three.test.internal = 127.0.0.1:9443'
retry 40 hello three.test.internal || fail "the second ConfigMap swap was not reloaded within 20 s"
n=$(reloads); [ "${n%.*}" -ge 2 ] || fail "lnm_config_reloads_total is $n after two swaps"
say "ok: two ConfigMap swaps reloaded (lnm_config_reloads_total $n)"
podman rm -f -t 0 "$ctr" >/dev/null
kill "$server_pid" 2>/dev/null || true
server_pid=

# --- 3. podman kube play of the manifests ---------------------------------------------------
# One file with unique names and this build's tag, the files concatenated as the README does by
# hand (each starts its own document with ---). Podman 4.3 makes one pod per replica; the test
# copy runs one replica and publishes its three ports on free loopback ports (the shipped
# Deployment lists no ports, so both its replicas start under kube play). The
# PodDisruptionBudget is cluster policy that kube play does not take.
free_port() {
  local p
  for ((i = 0; i < 50; i++)); do
    # below the ephemeral range (32768-60999), where client sockets of parallel tests come and go
    p=$((20000 + RANDOM % 12000))
    if ! ss -Htan "sport = :$p" | grep -q .; then echo "$p"; return 0; fi
  done
  return 1
}
declare -A host_port
for p in 8443 8883 9090; do host_port[$p]=$(free_port) || fail "no free port"; done
for f in configmap deployment service; do
  sed -e "s/\([[:space:]]name:\) lnm\$/\1 lnm-$id/" -e "s/\(app.kubernetes.io\/name:\) lnm\$/\1 lnm-$id/" \
    -e "s/name: lnm-config\$/name: lnm-config-$id/" -e "s#image: localhost/lnm:.*#image: $tag#" \
    -e "s/^  replicas: 2\$/  replicas: 1/" "$here/deploy/kubernetes/$f.yaml" |
    awk -v a="${host_port[8443]}" -v b="${host_port[8883]}" -v c="${host_port[9090]}" '
      { print }
      /^        args: / { print "        ports:"
        split("8443 8883 9090", cp, " "); hp[1] = a; hp[2] = b; hp[3] = c
        for (i = 1; i <= 3; i++) {
          print "        - containerPort: " cp[i]; print "          hostIP: 127.0.0.1"; print "          hostPort: " hp[i] } }'
done >"$work/play.yaml"
podman kube play --quiet "$work/play.yaml" 2>&1 >/dev/null | grep -v 'systemd' >&2 || true
pod=$(podman pod ps --filter "name=lnm-$id" --format '{{.Name}}' | head -1)
[ -n "$pod" ] || fail "no pod lnm-$id after kube play"
ctr=$(podman ps --filter "pod=$pod" --format '{{.Names}}' | grep -v infra | head -1)
[ -n "$ctr" ] || fail "kube play: the lnm container is not running"
admin=http://127.0.0.1:${host_port[9090]}
retry 120 curl -fsS "$admin/readyz" || fail "the pod's /readyz did not answer within 60 s"
curl -fsS "$admin/healthz" >/dev/null || fail "the pod's /healthz did not answer"
# a name outside the allowlist is refused, with an audit record in the pod log
timeout 10 openssl s_client -connect "127.0.0.1:${host_port[8443]}" -servername denied.test.internal </dev/null >/dev/null 2>&1 || true
retry 20 sh -c "podman logs '$ctr' 2>/dev/null | grep '\"sni\":\"denied.test.internal\"' | grep -q '\"decision\":\"deny\"'" ||
  fail "no deny record for a name outside the allowlist"
[ "$(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$ctr")" = true ] || fail "kube play: root filesystem not read-only"
pid=$(podman inspect -f '{{.State.Pid}}' "$ctr")
uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
[ "$uid" = 65532 ] || fail "kube play: runs as uid $uid"
caps=$(awk '/^CapEff:/ { print $2 }' "/proc/$pid/status")
say "ok: podman kube play deploy/kubernetes: the pod answers /readyz and /healthz, refuses what is not allowlisted (uid $uid, CapEff $caps, read-only root)"
