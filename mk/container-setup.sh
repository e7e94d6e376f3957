#!/usr/bin/env bash
# Installs and configures Podman for `make container` and the container tests. Idempotent.
# Needs root (installs packages, writes /etc/containers/containers.conf).
#
# Debian's Podman 4.3 works on these machines as root with runc as the OCI runtime, the
# cgroupfs cgroup manager and no default ulimits: with crun it fails ("cgroups in hybrid mode
# not supported", then a refused setrlimit). The settings go into
# /etc/containers/containers.conf, keeping whatever else that file says.
set -euo pipefail
conf=/etc/containers/containers.conf
say() { echo "container-setup: $*" >&2; }

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v runc >/dev/null 2>&1 || need+=(runc)
# `podman kube play` builds its pause image locally around catatonit
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || need+=(catatonit)
# the container tests: a TLS peer and HTTP probes from the host
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v nsenter >/dev/null 2>&1 || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    say "missing ${need[*]} and not root: install them (apt-get install ${need[*]})"
    exit 1
  fi
  say "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# Sets KEY = VALUE in [SECTION] of containers.conf (adds the section or the key if missing).
set_key() {
  local section=$1 key=$2 value=$3
  [ -f "$conf" ] || { mkdir -p "$(dirname "$conf")"; : >"$conf"; }
  grep -q "^\[$section\]" "$conf" || printf '\n[%s]\n' "$section" >>"$conf"
  if awk -v s="[$section]" -v k="$key" '
      $0 == s { in_s = 1; next } /^\[/ { in_s = 0 }
      in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { found = 1 }
      END { exit found ? 0 : 1 }' "$conf"; then
    awk -v s="[$section]" -v k="$key" -v line="$key = $value" '
      $0 == s { in_s = 1; print; next } /^\[/ { in_s = 0 }
      in_s && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { print line; next } { print }' "$conf" >"$conf.new"
  else
    awk -v s="[$section]" -v line="$key = $value" '{ print } $0 == s { print line }' "$conf" >"$conf.new"
  fi
  mv "$conf.new" "$conf"
}

if [ "$(id -u)" -eq 0 ]; then
  set_key containers default_ulimits '[]'
  set_key engine runtime '"runc"'
  set_key engine cgroup_manager '"cgroupfs"'
fi
podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupManager}}' >/dev/null 2>&1 ||
  { say "podman info fails; see 'podman info'"; exit 1; }
