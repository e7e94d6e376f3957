#!/usr/bin/env bash
# Makes the VM's custom data (cloud-init user-data) from image/cloud-init/user-data.yaml,
# with the lnm-config section holding your configuration:
#
#   image/make-custom-data.sh --config-dir DIR [--plant-if IF] [--outside-if IF]
#                             [--plant-address CIDR[,CIDR]]
#                             [--tarball PATH|URL] [--admin NAME --ssh-key FILE.pub] > custom-data.yaml
#
# Only the outside NIC runs DHCP; --plant-address is the plant NIC's static address (when it
# is a NIC of its own).
# DIR holds lnm.properties and the files it names (allowlist.properties, ...): every
# *.properties file in DIR goes to /etc/lnm. A relative audit.file in lnm.properties is put in
# /var/log/lnm (the only place the service may write), as install.sh does.
# --admin/--ssh-key add an administrator who logs in with that key (Azure adds its own
# administrator from `az vm create --admin-username/--ssh-key-values`; this is for other hosts).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
conf= plant_if=eth0 outside_if=eth0 plant_address= tarball= admin= key=
die() { echo "make-custom-data: error: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
  case $1 in
    --config-dir) conf=${2:?}; shift 2 ;;
    --plant-if) plant_if=${2:?}; shift 2 ;;
    --outside-if) outside_if=${2:?}; shift 2 ;;
    --plant-address) plant_address=${2:?}; shift 2 ;;
    --tarball) tarball=${2:?}; shift 2 ;;
    --admin) admin=${2:?}; shift 2 ;;
    --ssh-key) key=${2:?}; shift 2 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
[ -n "$conf" ] && [ -f "$conf/lnm.properties" ] || die "--config-dir DIR with DIR/lnm.properties is required"
[[ $plant_if =~ ^[A-Za-z0-9_.-]+$ && $outside_if =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad interface name"
plant_address=${plant_address//,/ }
[[ $plant_address =~ ^[0-9A-Fa-f.:/\ ]*$ ]] || die "bad --plant-address"
[ -z "$admin" ] || [ -f "$key" ] || die "--admin needs --ssh-key FILE"

content() { # a relative audit.file would land in the read-only /etc/lnm: put it in /var/log/lnm
  if [ "$(basename "$1")" = lnm.properties ]; then
    sed -E 's|^([[:space:]]*audit\.file[[:space:]]*[=:][[:space:]]*)([^/[:space:]][^[:space:]]*)[[:space:]]*$|\1/var/log/lnm/\2|' "$1"
  else
    cat "$1"
  fi
}
section() { # the write_files entries for vm.env and the configuration files
  printf '  - path: /etc/lnm/vm.env\n    permissions: %s\n    content: |\n' "'0640'"
  printf '      LNM_PLANT_IF=%s\n      LNM_OUTSIDE_IF=%s\n      LNM_PLANT_ADDRESS="%s"\n      LNM_TARBALL=%s\n' \
    "$plant_if" "$outside_if" "$plant_address" "$tarball"
  local f
  for f in "$conf"/*.properties; do
    printf '  - path: /etc/lnm/%s\n    permissions: %s\n    encoding: b64\n    content: %s\n' \
      "$(basename "$f")" "'0640'" "$(content "$f" | base64 -w0)"
  done
}
awk -v section="$(section)" '
  /^# BEGIN lnm-config$/ { print; print section; skip = 1; next }
  /^# END lnm-config$/ { skip = 0 }
  !skip { print }
' "$here/cloud-init/user-data.yaml"
if [ -n "$admin" ]; then
  printf 'users:\n  - default\n  - name: %s\n    shell: /bin/bash\n    sudo: "ALL=(ALL) NOPASSWD:ALL"\n    lock_passwd: true\n    ssh_authorized_keys:\n      - %s\n' \
    "$admin" "$(cat "$key")"
fi
