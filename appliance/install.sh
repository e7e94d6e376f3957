#!/usr/bin/env bash
# Installs the lnm appliance from an unpacked lnm-<version>-linux-x64 tarball.
#
#   appliance/install.sh [options]
#
#   --prefix DIR        runtime image and shipped files          (default /opt/lnm)
#   --sysconfdir DIR    configuration                            (default /etc/lnm)
#   --destdir DIR       install into this root instead of /      (default $DESTDIR)
#   --no-user           do not create the service user lnm
#   --harden            also install the level-4 hardening: sysctl (IP forwarding off) in
#                       /etc/sysctl.d and the nftables ruleset in SYSCONFDIR/nftables.conf,
#                       loaded by lnm-firewall.service
#   --plant-if IF       plant-side interface for the ruleset     (with --harden)
#   --outside-if IF     outside interface for the ruleset        (with --harden)
#                       Both given: lnm-firewall.service is enabled. Without them the
#                       ruleset is installed but not enabled: a wrong interface name in a
#                       drop-by-default ruleset locks the administrator out.
#   --ha ROLE           one box of an active/standby pair: ROLE primary or backup. Writes
#                       /etc/keepalived/keepalived.conf (Debian package keepalived) holding
#                       the virtual address on the plant-side NIC while lnm answers /readyz;
#                       VRRP goes by unicast to the other box only. With --harden the ruleset
#                       accepts VRRP on that NIC from the other box only
#   --vip ADDR/PREFIX   the virtual address the plant is given (with --ha), e.g. 10.3.0.5/24
#   --ha-if IF          the NIC that carries it and VRRP (with --ha; the plant-side NIC,
#                       default --plant-if)
#   --peer ADDR         the other box's IPv4 address on --ha-if (required with --ha): the only
#                       address this box sends VRRP to and accepts VRRP from
#   --ha-src ADDR       this box's own IPv4 address on --ha-if, the source of its VRRP (with
#                       --ha; default: the address --ha-if has now, looked up when installing
#                       live; required with --destdir)
#   --ha-vrid N         VRRP router id 1-255, the same on both boxes and unique on the
#                       segment (default 51)
#   --enable            enable lnm.service (and start it with --start)
#   --start             (re)start lnm.service after installing
#
# Idempotent: running it again replaces the runtime image and the units, and keeps every
# configuration file that was edited since it was installed (the new default is put next
# to it as NAME.dist). Configuration files nobody edited are updated to the new default.
# Needs root unless --destdir is given.
set -euo pipefail
umask 022

prefix=/opt/lnm
sysconfdir=/etc/lnm
destdir=${DESTDIR:-}
make_user=1 harden=0 enable=0 start=0 plant_if= outside_if=
ha_role= vip= ha_if= ha_vrid=51 ha_peer= ha_src=

die() { echo "install.sh: error: $*" >&2; exit 1; }
say() { echo "install.sh: $*" >&2; }
while [ $# -gt 0 ]; do
  case $1 in
    --prefix) prefix=${2:?--prefix needs a directory}; shift 2 ;;
    --prefix=*) prefix=${1#*=}; shift ;;
    --sysconfdir) sysconfdir=${2:?--sysconfdir needs a directory}; shift 2 ;;
    --sysconfdir=*) sysconfdir=${1#*=}; shift ;;
    --destdir) destdir=${2:?--destdir needs a directory}; shift 2 ;;
    --destdir=*) destdir=${1#*=}; shift ;;
    --no-user) make_user=0; shift ;;
    --harden) harden=1; shift ;;
    --plant-if) plant_if=${2:?}; shift 2 ;;
    --plant-if=*) plant_if=${1#*=}; shift ;;
    --outside-if) outside_if=${2:?}; shift 2 ;;
    --outside-if=*) outside_if=${1#*=}; shift ;;
    --ha) ha_role=${2:?--ha needs primary or backup}; shift 2 ;;
    --ha=*) ha_role=${1#*=}; shift ;;
    --vip) vip=${2:?--vip needs ADDR/PREFIX}; shift 2 ;;
    --vip=*) vip=${1#*=}; shift ;;
    --ha-if) ha_if=${2:?--ha-if needs an interface}; shift 2 ;;
    --ha-if=*) ha_if=${1#*=}; shift ;;
    --peer) ha_peer=${2:?--peer needs the address of the other box}; shift 2 ;;
    --peer=*) ha_peer=${1#*=}; shift ;;
    --ha-src) ha_src=${2:?--ha-src needs the address of this box}; shift 2 ;;
    --ha-src=*) ha_src=${1#*=}; shift ;;
    --ha-vrid) ha_vrid=${2:?--ha-vrid needs a number}; shift 2 ;;
    --ha-vrid=*) ha_vrid=${1#*=}; shift ;;
    --enable) enable=1; shift ;;
    --start) start=1; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
case $prefix in /*) ;; *) die "--prefix must be absolute" ;; esac
case $sysconfdir in /*) ;; *) die "--sysconfdir must be absolute" ;; esac
prefix=${prefix%/} sysconfdir=${sysconfdir%/}
# ipv4 VALUE: true when VALUE is a dotted-quad IPv4 literal (four octets 0-255, no leading zeros)
ipv4() {
  local o='(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])'
  [[ $1 =~ ^$o\.$o\.$o\.$o$ ]]
}
if [ -n "$ha_role" ]; then
  case $ha_role in primary | backup) ;; *) die "--ha takes primary or backup, not '$ha_role'" ;; esac
  [ -n "$ha_if" ] || ha_if=$plant_if
  [ -n "$ha_if" ] || die "--ha needs --ha-if IF (the plant-side NIC) or --plant-if"
  [[ $ha_if =~ ^[A-Za-z0-9_.:@-]{1,15}$ ]] || die "--ha-if '$ha_if' is not an interface name"
  [[ $vip =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] ||
    die "--vip needs an IPv4 ADDR/PREFIX such as 10.3.0.5/24, got '$vip'"
  for i in 1 2 3 4; do [ "${BASH_REMATCH[$i]}" -le 255 ] || die "--vip '$vip': ${BASH_REMATCH[$i]} is not an octet"; done
  [ "${BASH_REMATCH[5]}" -ge 1 ] && [ "${BASH_REMATCH[5]}" -le 32 ] || die "--vip '$vip': prefix must be 1-32"
  [[ $ha_vrid =~ ^[0-9]{1,3}$ ]] && [ "$ha_vrid" -ge 1 ] && [ "$ha_vrid" -le 255 ] || die "--ha-vrid must be 1-255"
  [ -n "$ha_peer" ] || die "--ha needs --peer ADDR, the other box's address on $ha_if: VRRP goes to and is accepted from that box only (a plant host sending VRRP could otherwise take the virtual address)"
  ipv4 "$ha_peer" || die "--peer needs the other box's IPv4 address (the virtual address is IPv4), such as 10.3.0.7, got '$ha_peer'"
  if [ -z "$ha_src" ] && { [ -z "$destdir" ] || [ "$destdir" = / ]; }; then
    ha_src=$(ip -4 -o addr show dev "$ha_if" scope global 2>/dev/null |
      awk -v vip="${vip%/*}" '{ sub(/\/.*/, "", $4); if ($4 != vip) { print $4; exit } }' || true)
    [ -n "$ha_src" ] || die "--ha: $ha_if has no IPv4 address here to send VRRP from; give --ha-src ADDR (this box's address on $ha_if)"
  fi
  [ -n "$ha_src" ] || die "--ha with --destdir needs --ha-src ADDR (this box's address on $ha_if)"
  ipv4 "$ha_src" || die "--ha-src needs this box's IPv4 address on $ha_if, such as 10.3.0.6, got '$ha_src'"
  [ "$ha_peer" != "$ha_src" ] || die "--peer $ha_peer is this box's own address (--ha-src); give the other box's"
  for a in "$ha_peer" "$ha_src"; do
    [ "$a" != "${vip%/*}" ] || die "the virtual address ${vip%/*} cannot be a box's own address (--peer, --ha-src)"
  done
  [ -z "$plant_if" ] || [ "$plant_if" = "$ha_if" ] ||
    say "warning: --ha-if $ha_if is not the plant-side NIC $plant_if; VRRP belongs where the plant reaches the box"
elif [ -n "$vip$ha_if$ha_peer$ha_src" ]; then
  die "--vip, --ha-if, --peer and --ha-src go with --ha primary|backup"
fi
[ -n "$prefix" ] && [ "$prefix" != /usr ] && [ "$prefix" != /opt ] || die "refusing --prefix '$prefix'"
if [ -n "$destdir" ]; then
  destdir=$(mkdir -p "$destdir" && cd "$destdir" && pwd)
  [ "$destdir" != / ] || destdir=
fi
live=0
[ -z "$destdir" ] && live=1
[ "$live" -eq 0 ] || [ "$(id -u)" -eq 0 ] || die "run as root (or give --destdir)"

pkg=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$pkg/image/bin/lnm" ] && [ -f "$pkg/image/lib/modules" ] || die "$pkg/image is not an lnm runtime image"
[ -f "$pkg/conf/lnm.properties" ] || die "$pkg/conf/lnm.properties missing"
app=$pkg/appliance
D=$destdir
P=$D$prefix
C=$D$sysconfdir
# A ruleset from before --peer accepts VRRP from the whole plant segment on ha_if; rewriting it
# without the peer would drop the pair's own VRRP. Its box must be given --ha ... --peer again.
old_ha_if=$(sed -n -E 's/^define ha_if = "(.*)"$/\1/p' "$C/nftables.conf" 2>/dev/null || true)
if [ "$harden" -eq 1 ] && [ -z "$ha_role" ] && [ -n "$old_ha_if" ] && [ "$old_ha_if" != none ] &&
  ! grep -q '^define ha_peer = ' "$C/nftables.conf"; then
  die "$sysconfdir/nftables.conf accepts VRRP from any plant host; give --ha ROLE --vip ADDR/PREFIX --peer ADDR again so that only the other box's VRRP is accepted"
fi
if [ -e "$P" ] && [ -n "$(ls -A "$P" 2>/dev/null)" ] && [ ! -x "$P/bin/lnm" ]; then
  die "$P exists and is not an lnm installation; refusing to replace it"
fi

# --- service user ----------------------------------------------------------------------------
# The same definition goes to sysusers.d, so a root made without the user (--no-user, an
# image) gets it from systemd-sysusers at boot.
install -d -m 0755 "$D/etc/sysusers.d"
install -m 0644 "$app/sysusers.conf" "$D/etc/sysusers.d/lnm.conf"
if [ "$make_user" -eq 1 ]; then
  if ! grep -q '^lnm:' "$D/etc/passwd" 2>/dev/null; then
    if command -v systemd-sysusers >/dev/null; then
      if [ "$live" -eq 1 ]; then
        systemd-sysusers "$D/etc/sysusers.d/lnm.conf"
      else
        systemd-sysusers --root="$D" "$D/etc/sysusers.d/lnm.conf"
      fi
    else
      root_opt=()
      [ "$live" -eq 1 ] || root_opt=(--root "$D")
      useradd "${root_opt[@]}" --system --user-group --home-dir /var/lib/lnm \
        --no-create-home --shell /usr/sbin/nologin --comment "lnm proxy" lnm
    fi
    say "created system user lnm"
  fi
fi
gid=$(awk -F: '$1 == "lnm" { print $3 }' "$D/etc/group" 2>/dev/null || true)
uid=$(awk -F: '$1 == "lnm" { print $3 }' "$D/etc/passwd" 2>/dev/null || true)

# --- runtime image ----------------------------------------------------------------------------
# Staged next to the old one and swapped in with two renames, so a running lnm keeps its
# (unlinked) files and a failed copy leaves the old installation alone.
old_sums=
[ -f "$P/share/conffiles.sha256" ] && old_sums=$(cat "$P/share/conffiles.sha256")
stage=$P.new.$$
rm -rf "$stage"
mkdir -p "$(dirname "$P")"
cp -R --preserve=mode,timestamps "$pkg/image" "$stage"
install -d -m 0755 "$stage/share" "$stage/share/appliance"
cp -R --preserve=mode,timestamps "$pkg/conf" "$stage/share/conf"
for f in "$app"/*; do
  [ -f "$f" ] && install -m "$([ -x "$f" ] && echo 0755 || echo 0644)" "$f" "$stage/share/appliance/"
done
[ "$(id -u)" -ne 0 ] || chown -R 0:0 "$stage"
chmod -R go-w "$stage"
if [ -e "$P" ]; then
  mv "$P" "$P.old.$$"
  mv "$stage" "$P"
  rm -rf "$P.old.$$"
else
  mv "$stage" "$P"
fi
say "installed lnm $(sed -n 's/^LNM_VERSION=//p' "$P/release" | tr -d '"') in $P"

# --- configuration files ----------------------------------------------------------------------
# conffile SRC TARGET MODE: installs SRC at TARGET unless TARGET was edited since the last
# install (its checksum differs from the one recorded then); an edited file is kept and the
# new default written as TARGET.dist. Checksums go to $P/share/conffiles.sha256.
new_sums=()
conffile() {
  local src=$1 target=$2 mode=$3 t=$D$2 tmp sum old
  tmp=$(mktemp)
  cat "$src" >"$tmp"
  [ -z "${4:-}" ] || "$4" "$tmp"
  sum=$(sha256sum <"$tmp" | cut -d' ' -f1)
  if [ -e "$t" ]; then
    old=$(printf '%s\n' "$old_sums" | awk -v p="$target" '$2 == p { print $1 }')
    cur=$(sha256sum <"$t" | cut -d' ' -f1)
    if [ "$cur" = "$sum" ]; then
      : # already the default
    elif [ -n "$old" ] && [ "$cur" = "$old" ]; then
      install -m "$mode" "$tmp" "$t"
      say "updated $target to the new default"
    else
      install -m "$mode" "$tmp" "$t.dist"
      say "kept edited $target (new default: $target.dist)"
    fi
  else
    mkdir -p "$(dirname "$t")"
    install -m "$mode" "$tmp" "$t"
  fi
  rm -f "$tmp"
  if [ -n "$gid" ] && [ "$(id -u)" -eq 0 ] && [[ $target == "$sysconfdir"/* ]]; then
    chown "0:$gid" "$t"
    [ ! -e "$t.dist" ] || chown "0:$gid" "$t.dist"
  fi
  new_sums+=("$sum  $target")
}
# The audit log cannot live in /etc/lnm (read-only to the service): a relative audit.file in
# the shipped lnm.properties is placed in /var/log/lnm (LogsDirectory= of lnm.service).
audit_to_var_log() {
  sed -i -E -f "$app/audit-to-var-log.sed" "$1"
}
if [ -n "$gid" ]; then
  conf_dir_mode=0750 conf_mode=0640
else
  conf_dir_mode=0755 conf_mode=0644
  say "warning: no group lnm in ${D:-/}etc/group: $sysconfdir is world-readable"
fi
install -d -m "$conf_dir_mode" "$C"
[ -z "$gid" ] || [ "$(id -u)" -ne 0 ] || chown "0:$gid" "$C"
while IFS= read -r -d '' f; do
  rel=${f#"$pkg/conf/"}
  [ "$rel" != lnm.properties ] || { conffile "$f" "$sysconfdir/$rel" "$conf_mode" audit_to_var_log; continue; }
  conffile "$f" "$sysconfdir/$rel" "$conf_mode"
done < <(find "$pkg/conf" -type f -print0 | sort -z)
conffile "$app/lnm.env" "$sysconfdir/lnm.env" "$conf_mode"
install -d -m 0755 "$D/etc/logrotate.d"
conffile "$app/logrotate.conf" /etc/logrotate.d/lnm 0644

# --- state and log directories (systemd creates them too; here for a first `lnm check`) -----
for d in /var/lib/lnm /var/log/lnm; do
  install -d -m 0750 "$D$d"
  [ -z "$uid" ] || [ "$(id -u)" -ne 0 ] || chown "$uid:$gid" "$D$d"
done

# --- systemd units ----------------------------------------------------------------------------
units=$D/etc/systemd/system
install -d -m 0755 "$units"
rewrite_paths() { # the units name /opt/lnm and /etc/lnm; point them at --prefix/--sysconfdir
  sed -e "s|/opt/lnm/|$prefix/|g" -e "s|/etc/lnm/|$sysconfdir/|g" "$1"
}
rewrite_paths "$app/lnm.service" >"$units/lnm.service"
chmod 0644 "$units/lnm.service"

# --- level-4 hardening -----------------------------------------------------------------------
if [ "$harden" -eq 1 ]; then
  # interfaces not given again: keep those of the installed ruleset
  for v in plant_if outside_if ha_if; do
    if [ -z "${!v}" ] && [ -f "$C/nftables.conf" ]; then
      printf -v "$v" '%s' "$(sed -n -E "s/^define $v = \"(.*)\"\$/\1/p" "$C/nftables.conf")"
    fi
  done
  if [ -z "$ha_peer" ] && [ -f "$C/nftables.conf" ]; then
    ha_peer=$(sed -n -E 's/^define ha_peer = ([0-9.]+)$/\1/p' "$C/nftables.conf")
  fi
  install -d -m 0755 "$D/etc/sysctl.d"
  conffile "$app/sysctl.conf" /etc/sysctl.d/90-lnm.conf 0644
  set_ifs() {
    [ -z "$plant_if" ] || sed -i "s|^define plant_if = .*|define plant_if = \"$plant_if\"|" "$1"
    [ -z "$outside_if" ] || sed -i "s|^define outside_if = .*|define outside_if = \"$outside_if\"|" "$1"
    [ -z "$ha_if" ] || sed -i "s|^define ha_if = .*|define ha_if = \"$ha_if\"|" "$1"
    [ -z "$ha_peer" ] || sed -i "s|^define ha_peer = .*|define ha_peer = $ha_peer|" "$1"
    ports=$(sed -n -E 's/^[[:space:]]*(listen\.[A-Za-z0-9_-]+|fleet\.listen)[[:space:]]*[=:][[:space:]]*(.*:)?([0-9]+)[[:space:]]*$/\3/p' \
      "$C/lnm.properties" | sort -un | paste -sd, - | sed 's/,/, /g')
    [ -z "$ports" ] || sed -i "s|^define lnm_ports = .*|define lnm_ports = { $ports }|" "$1"
    admin=$(sed -n -E 's/^[[:space:]]*admin\.listen[[:space:]]*[=:][[:space:]]*(.*:)?([0-9]+)[[:space:]]*$/\2/p' "$C/lnm.properties")
    [ -z "$admin" ] || sed -i "s|^define admin_port = .*|define admin_port = $admin|" "$1"
  }
  conffile "$app/nftables.conf" "$sysconfdir/nftables.conf" 0640 set_ifs
  rewrite_paths "$app/lnm-firewall.service" >"$units/lnm-firewall.service"
  chmod 0644 "$units/lnm-firewall.service"
fi

# --- active/standby pair (keepalived) ------------------------------------------------------
if [ -n "$ha_role" ]; then
  ha_admin=$(sed -n -E 's/^[[:space:]]*admin\.listen[[:space:]]*[=:][[:space:]]*(.*:)?([0-9]+)[[:space:]]*$/\2/p' "$C/lnm.properties")
  [ -n "$ha_admin" ] || ha_admin=9090
  grep -qiE '^[[:space:]]*admin\.listen[[:space:]]*[=:][[:space:]]*off[[:space:]]*$' "$C/lnm.properties" &&
    die "--ha needs lnm's admin port (admin.listen) for the /readyz check, but it is off in $sysconfdir/lnm.properties"
  set_ha() {
    sed -i -e "s|@ROLE@|$ha_role|g" -e "s|@PREFIX@|$prefix|g" -e "s|@ADMIN_PORT@|$ha_admin|g" \
      -e "s|@HA_IF@|$ha_if|g" -e "s|@VRID@|$ha_vrid|g" -e "s|@VIP@|$vip|g" \
      -e "s|@HA_SRC@|$ha_src|g" -e "s|@PEER@|$ha_peer|g" \
      -e "s|@PRIORITY@|$([ "$ha_role" = primary ] && echo 150 || echo 100)|g" "$1"
  }
  install -d -m 0755 "$D/etc/keepalived"
  conffile "$app/keepalived.conf" /etc/keepalived/keepalived.conf 0640 set_ha
  say "keepalived: $ha_role of the pair holding $vip on $ha_if (VRID $ha_vrid), VRRP from $ha_src to $ha_peer only"
  [ "$harden" -eq 1 ] || say "warning: without --harden the ruleset is not updated; accept VRRP (IP protocol 112) on $ha_if from $ha_peer only and drop all other VRRP (keepalived ignores it, but a flood of it that reaches keepalived still upsets the pair)"
fi
printf '%s\n' "${new_sums[@]}" >"$P/share/conffiles.sha256"

# a command on the PATH
install -d -m 0755 "$D/usr/local/bin"
ln -sfn "$prefix/bin/lnm" "$D/usr/local/bin/lnm"

# --- activate (only on a live system with systemd running) --------------------------------------
if [ "$live" -eq 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$harden" -eq 1 ]; then
    sysctl -q -p /etc/sysctl.d/90-lnm.conf || say "warning: some sysctl settings were not applied"
    if [ -n "$plant_if" ] && [ -n "$outside_if" ]; then
      systemctl enable --now lnm-firewall.service
      systemctl reload-or-restart lnm-firewall.service
    else
      say "firewall: edit $sysconfdir/nftables.conf, then: systemctl enable --now lnm-firewall"
    fi
  fi
  [ "$enable" -eq 0 ] || systemctl enable lnm.service
  if [ -n "$ha_role" ]; then
    if command -v keepalived >/dev/null; then
      keepalived --config-test -f /etc/keepalived/keepalived.conf || die "keepalived rejects /etc/keepalived/keepalived.conf"
      systemctl enable keepalived.service
      systemctl reload-or-restart keepalived.service
    else
      say "keepalived is not installed: apt-get install keepalived, then: systemctl enable --now keepalived"
    fi
  fi
  if [ "$start" -eq 1 ]; then
    systemctl restart lnm.service
  elif systemctl is-active -q lnm.service; then
    say "lnm is running the previous image: systemctl restart lnm"
    # the track script installed now wants the pid line of /readyz, which an older lnm does
    # not send: keepalived would give the address up until lnm is restarted
    ! grep -qs 'lnm_ready' /etc/keepalived/keepalived.conf ||
      say "warning: a box of a pair: restart lnm now (before the other box's); keepalived's track script wants the pid line of /readyz, which an older lnm does not send"
  fi
elif [ "$harden" -eq 1 ] && [ -n "$plant_if" ] && [ -n "$outside_if" ]; then
  install -d -m 0755 "$units/sysinit.target.wants"
  ln -sfn ../lnm-firewall.service "$units/sysinit.target.wants/lnm-firewall.service"
fi
if [ "$live" -eq 0 ] && [ "$enable" -eq 1 ]; then
  install -d -m 0755 "$units/multi-user.target.wants"
  ln -sfn ../lnm.service "$units/multi-user.target.wants/lnm.service"
fi
say "done: config in $sysconfdir, check it with: $prefix/bin/lnm check --config $sysconfdir/lnm.properties"
