#!/usr/bin/env bash
# Removes what install.sh installed.
#
#   uninstall.sh [--prefix DIR] [--sysconfdir DIR] [--destdir DIR] [--purge]
#
# Keeps the configuration (SYSCONFDIR), the audit log (/var/log/lnm), the state directory
# and the user lnm, unless --purge is given.
set -euo pipefail
prefix=/opt/lnm
sysconfdir=/etc/lnm
destdir=${DESTDIR:-}
purge=0
die() { echo "uninstall.sh: error: $*" >&2; exit 1; }
say() { echo "uninstall.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --sysconfdir) sysconfdir=${2:?}; shift 2 ;;
    --sysconfdir=*) sysconfdir=${1#*=}; shift ;;
    --destdir) destdir=${2:?}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --purge) purge=1; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1" ;;
  esac
done
prefix=${prefix%/} sysconfdir=${sysconfdir%/}
D=${destdir%/}
live=0
[ -z "$D" ] && live=1
[ "$live" -eq 0 ] || [ "$(id -u)" -eq 0 ] || die "run as root (or give --destdir)"
if [ -e "$D$prefix" ] && [ ! -x "$D$prefix/bin/lnm" ]; then
  die "$D$prefix is not an lnm installation"
fi

if [ "$live" -eq 1 ] && [ -d /run/systemd/system ]; then
  systemctl disable --now lnm.service 2>/dev/null || true
  systemctl disable --now lnm-firewall.service 2>/dev/null || true
  # a pair member without lnm must not hold the virtual address
  if grep -qs 'lnm_ready' /etc/keepalived/keepalived.conf; then
    systemctl disable --now keepalived.service 2>/dev/null || true
  fi
fi
rm -f "$D/etc/systemd/system/lnm.service" "$D/etc/systemd/system/lnm-firewall.service" \
  "$D/etc/systemd/system/multi-user.target.wants/lnm.service" \
  "$D/etc/systemd/system/sysinit.target.wants/lnm-firewall.service"
[ "$live" -eq 0 ] || [ ! -d /run/systemd/system ] || systemctl daemon-reload
if [ "$(readlink "$D/usr/local/bin/lnm" 2>/dev/null)" = "$prefix/bin/lnm" ]; then
  rm -f "$D/usr/local/bin/lnm"
fi
rm -f "$D/etc/logrotate.d/lnm" "$D/etc/sysctl.d/90-lnm.conf"
rm -rf "$D$prefix"
say "removed $prefix and the units"

if [ "$purge" -eq 1 ]; then
  rm -rf "$D$sysconfdir" "$D/var/log/lnm" "$D/var/lib/lnm"
  if grep -qs 'lnm_ready' "$D/etc/keepalived/keepalived.conf"; then
    rm -f "$D/etc/keepalived/keepalived.conf"
  fi
  rm -f "$D/etc/sysusers.d/lnm.conf"
  if grep -q '^lnm:' "$D/etc/passwd" 2>/dev/null; then
    if [ "$live" -eq 1 ]; then userdel lnm; else userdel --root "$D" lnm; fi
  fi
  say "purged configuration, logs, state and the user lnm"
else
  say "kept $sysconfdir, /var/log/lnm, /var/lib/lnm and the user lnm (--purge removes them)"
fi
