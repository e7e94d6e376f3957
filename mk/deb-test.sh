#!/usr/bin/env bash
# The Debian package's life on this machine, as an operator would live it:
#   mk/deb-test.sh build/lnm_<version>_amd64.deb IMAGE_DIR
# lintian, install (user, files, unit enabled, `lnm version`, `lnm check`, the shipped config running
# on loopback only), an edit of /etc/lnm/lnm.properties, an unattended upgrade to a higher
# version whose default config differs (--force-confold: the edit stays, the new default lands
# as .dpkg-dist, an unedited conffile is updated), `apt-get remove` (config, state and audit
# log stay) and `apt-get purge` (they go). Needs root, apt and a machine without lnm installed;
# leaves it without lnm (the user lnm stays, as after any purge). Without systemd as PID 1
# the unit cannot be started: the test says so and runs the shipped config by hand instead.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
deb=${1:?usage: mk/deb-test.sh PACKAGE.deb IMAGE_DIR} image=${2:?usage: mk/deb-test.sh PACKAGE.deb IMAGE_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")
fails=0
skipped=()
ok() { echo "deb-test: ok: $*"; }
bad() { echo "deb-test: FAIL: $*" >&2; fails=$((fails + 1)); }
skip() { echo "deb-test: not checked: $*"; skipped+=("$*"); }
die() { echo "deb-test: error: $*" >&2; exit 1; }
check() { # check DESCRIPTION COMMAND...: ok when COMMAND succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
logged() { local f=$1; shift; "$@" >"$f" 2>&1; } # logged FILE COMMAND...: output to FILE
stat_is() { [ "$(stat -c '%U:%G %a' "$2")" = "$1" ]; }
# apt on a local file, never waiting on a question (a prompt reads end of input and fails)
apt_do() { timeout 600 apt-get -y -q -o Dpkg::Options::=--force-confold "$@" </dev/null; }
status() { dpkg-query -W -f='${db:Status-Abbrev}' lnm 2>/dev/null | tr -d ' ' || true; }
installed() { [ "$(status)" = ii ]; }
known() { case $(status) in '' | un* | pn*) return 1 ;; *) return 0 ;; esac; }
not_known() { ! known; }

[ "$(id -u)" -eq 0 ] || die "run as root"
[ -f "$deb" ] || die "$deb missing (make deb)"
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null || die "needs apt-get (Debian)"
! known || die "lnm is already known to dpkg here; apt-get purge lnm first"
[ ! -e /opt/lnm ] && [ ! -e /etc/lnm ] || die "/opt/lnm or /etc/lnm exists (a tarball install? appliance/uninstall.sh --purge)"
work=$(mktemp -d "${TMPDIR:-/tmp}/lnm-deb-test.XXXXXX")
runpid= javapid=
cleanup() {
  [ -z "$javapid" ] || kill "$javapid" 2>/dev/null || true
  [ -z "$runpid" ] || kill "$runpid" 2>/dev/null || true
  if known; then
    echo "deb-test: purging lnm to leave the machine as it was" >&2
    apt_do purge lnm >/dev/null 2>&1 || dpkg --purge lnm >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [ -d /run/systemd/system ]; then
  systemd=1
  echo "deb-test: systemd runs as PID 1: the unit is started and stopped for real"
else
  systemd=0
  echo "deb-test: systemd is not running (PID 1 is $(ps -o comm= -p 1)): the maintainer scripts skip start/stop"
fi
version=$(dpkg-deb -f "$deb" Version)
lnm_version=$(sed -n 's/^LNM_VERSION=//p' "$image/release" | tr -d '"')

lintian_clean() { # no error, warning or info tag that mk/deb/lintian-overrides does not explain
  local out
  out=$(lintian -I "$deb" 2>/dev/null | grep -E '^[EWI]: ' || true)
  [ -z "$out" ] || echo "$out" >&2
  [ -z "$out" ]
}
if command -v lintian >/dev/null; then
  check "lintian -I $(basename "$deb"): clean" lintian_clean
else
  skip "lintian (apt-get install lintian)"
fi

# --- install ---------------------------------------------------------------------------------
echo "deb-test: apt-get install $deb"
apt_do install "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; die "install failed"; }
check "installed, version $version" installed
check "user lnm: system user, home /var/lib/lnm, no login shell" \
  test "$(getent passwd lnm | cut -d: -f6,7)" = /var/lib/lnm:/usr/sbin/nologin
check "user lnm has a system uid" test "$(id -u lnm)" -lt 1000
check "group lnm" logged /dev/null getent group lnm
check "/usr/bin/lnm links to /opt/lnm/bin/lnm" test "$(readlink /usr/bin/lnm)" = /opt/lnm/bin/lnm
check "lnm version prints lnm $lnm_version" test "$(lnm version)" = "lnm $lnm_version"
check "the unit is appliance/lnm.service" cmp -s /lib/systemd/system/lnm.service "$top/appliance/lnm.service"
check "sysusers.d is appliance/sysusers.conf" cmp -s /usr/lib/sysusers.d/lnm.conf "$top/appliance/sysusers.conf"
check "logrotate.d is appliance/logrotate.conf" cmp -s /etc/logrotate.d/lnm "$top/appliance/logrotate.conf"
check "lnm.env is appliance/lnm.env" cmp -s /etc/lnm/lnm.env "$top/appliance/lnm.env"
check "allowlist is conf/allowlist.properties" cmp -s /etc/lnm/allowlist.properties "$top/conf/allowlist.properties"
conffiles=$(dpkg-query -W -f='${Conffiles}\n' lnm | awk 'NF { print $1 }' | sort | paste -sd' ')
check "conffiles: $conffiles" test "$conffiles" = \
  "/etc/lnm/allowlist.properties /etc/lnm/lnm.env /etc/lnm/lnm.properties /etc/logrotate.d/lnm"
check "/etc/lnm root:lnm 0750" stat_is "root:lnm 750" /etc/lnm
for f in lnm.properties allowlist.properties lnm.env; do
  check "/etc/lnm/$f root:lnm 0640" stat_is "root:lnm 640" "/etc/lnm/$f"
done
for d in /var/lib/lnm /var/log/lnm; do check "$d lnm:lnm 0750" stat_is "lnm:lnm 750" "$d"; done
check "audit log in /var/log/lnm" grep -qx 'audit.file = /var/log/lnm/audit.jsonl' /etc/lnm/lnm.properties
check "no listener off loopback in the shipped config" \
  test -z "$(grep -E '^[[:space:]]*(listen\.[A-Za-z0-9_-]+|admin\.listen)[[:space:]]*=' /etc/lnm/lnm.properties | grep -v '= 127\.0\.0\.1:')"
check "lnm check --config /etc/lnm/lnm.properties (as user lnm)" \
  logged "$work/check.log" runuser -u lnm -- lnm check --config /etc/lnm/lnm.properties
check "enabled: multi-user.target.wants/lnm.service" \
  test "$(readlink /etc/systemd/system/multi-user.target.wants/lnm.service)" = /lib/systemd/system/lnm.service
check "systemctl is-enabled lnm: enabled" test "$(systemctl is-enabled lnm 2>/dev/null)" = enabled
if command -v logrotate >/dev/null; then
  check "logrotate accepts /etc/logrotate.d/lnm" logged "$work/logrotate.log" logrotate -d /etc/logrotate.d/lnm
else
  skip "logrotate's view of /etc/logrotate.d/lnm (logrotate not installed)"
fi

# The shipped config running: under systemd the started unit; without it, by hand as the
# unit would (user lnm, working directory /var/lib/lnm), where its ports are free.
admin_up() { # waits up to 30 s for /healthz on the admin port
  local i
  for i in $(seq 60); do
    curl -fsS -m 2 -o /dev/null http://127.0.0.1:9090/healthz 2>/dev/null && return 0
    sleep 0.5
  done
  return 1
}
listeners_on_loopback() { # every socket lnm listens on is a 127.0.0.1 one (ss shows the
  local pid=$1 addrs    # JDK's dual-stack sockets as [::ffff:127.0.0.1]:PORT)
  addrs=$(ss -Htlnp 2>/dev/null | awk -v p="pid=$pid," 'index($0, p) { print $4 }' | sort -u)
  echo "deb-test: lnm listens on: $(paste -sd' ' <<<"$addrs")"
  [ -n "$addrs" ] && ! grep -qvE '^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):[0-9]+$' <<<"$addrs"
}
if [ "$systemd" -eq 1 ]; then
  check "lnm.service active after install" systemctl is-active -q lnm
  check "admin /healthz answers" admin_up
  check "lnm listens on 127.0.0.1 only" listeners_on_loopback "$(systemctl show -p MainPID --value lnm)"
elif ! command -v curl >/dev/null || ! command -v ss >/dev/null; then
  skip "the shipped config running (needs curl and ss)"
elif ss -Htln | awk '{ print $4 }' | grep -qE ':(8443|8883|9090)$'; then
  skip "the shipped config running (ports 8443, 8883 or 9090 in use here)"
else
  skip "lnm.service starting (no systemd): the shipped config is run by hand as user lnm instead"
  (cd /var/lib/lnm && exec runuser -u lnm -- /opt/lnm/bin/lnm run --config /etc/lnm/lnm.properties) \
    >"$work/run.log" 2>&1 &
  runpid=$!
  if admin_up; then
    ok "the shipped config runs as user lnm, admin /healthz answers"
    # the JVM is runuser's child (the launcher execs java)
    javapid=$(pgrep -P "$runpid" | head -1 || true)
    check "lnm listens on 127.0.0.1 only" listeners_on_loopback "$javapid"
  else
    bad "the shipped config running as user lnm (log: $(tail -3 "$work/run.log"))"
  fi
  # SIGTERM to the JVM itself: it drains and exits, and runuser with it
  [ -z "$javapid" ] || kill -TERM "$javapid" 2>/dev/null || true
  kill -TERM "$runpid" 2>/dev/null || true
  wait "$runpid" 2>/dev/null || true
  runpid= javapid=
  check "its audit log in /var/log/lnm belongs to lnm" \
    bash -c '[ ! -e /var/log/lnm/audit.jsonl ] || [ "$(stat -c %U /var/log/lnm/audit.jsonl)" = lnm ]'
fi
# an audit record the remove must keep (the run above may have written none)
runuser -u lnm -- sh -c 'echo "{\"test\":\"deb-test\"}" >>/var/log/lnm/audit.jsonl'

# --- edit, then an unattended upgrade --------------------------------------------------------
sed -i 's/^level = 4$/level = 3/' /etc/lnm/lnm.properties
echo '# edited by the operator' >>/etc/lnm/lnm.properties
check "edited config still passes lnm check" logged "$work/check2.log" runuser -u lnm -- lnm check --config /etc/lnm/lnm.properties
# The next version's defaults differ from this one's, so dpkg has to choose for both files.
cp -R "$top/conf" "$work/conf"
echo '# default of the next version' >>"$work/conf/lnm.properties"
echo '# default of the next version' >>"$work/conf/allowlist.properties"
next=$version+debtest1
LNM_CONF_DIR=$work/conf bash "$top/mk/deb-build.sh" "$next" "$image" "$work/lnm_${next}_amd64.deb"
dpkg --compare-versions "$next" gt "$version" || die "$next does not sort after $version"
echo "deb-test: upgrade: apt-get install -o Dpkg::Options::=--force-confold lnm_${next}_amd64.deb"
apt_do install "$work/lnm_${next}_amd64.deb" >"$work/upgrade.log" 2>&1 || { cat "$work/upgrade.log" >&2; die "upgrade failed"; }
check "upgraded to $next" test "$(dpkg-query -W -f='${Version}' lnm)" = "$next"
check "edited lnm.properties kept" grep -qx '# edited by the operator' /etc/lnm/lnm.properties
check "edited lnm.properties keeps level = 3" grep -qx 'level = 3' /etc/lnm/lnm.properties
check "new default next to it as lnm.properties.dpkg-dist" grep -qx '# default of the next version' /etc/lnm/lnm.properties.dpkg-dist
check "unedited allowlist.properties updated to the new default" grep -qx '# default of the next version' /etc/lnm/allowlist.properties
for f in lnm.properties allowlist.properties; do
  check "/etc/lnm/$f still root:lnm 0640" stat_is "root:lnm 640" "/etc/lnm/$f"
done
check "still enabled" test -L /etc/systemd/system/multi-user.target.wants/lnm.service
check "upgraded config passes lnm check" logged "$work/check3.log" runuser -u lnm -- lnm check --config /etc/lnm/lnm.properties
if [ "$systemd" -eq 1 ]; then
  check "lnm.service active after upgrade" systemctl is-active -q lnm
else
  skip "lnm.service restarted by the upgrade (no systemd)"
fi

# --- remove ----------------------------------------------------------------------------------
echo "deb-test: apt-get remove lnm"
apt_do remove lnm >"$work/remove.log" 2>&1 || { cat "$work/remove.log" >&2; die "remove failed"; }
check "removed, config kept (dpkg state rc)" test "$(status)" = rc
check "/opt/lnm and /usr/bin/lnm gone" test ! -e /opt/lnm -a ! -L /usr/bin/lnm
check "unit gone" test ! -e /lib/systemd/system/lnm.service
check "edited config kept" grep -qx '# edited by the operator' /etc/lnm/lnm.properties
check "audit log kept" grep -q deb-test /var/log/lnm/audit.jsonl
check "state directory kept" test -d /var/lib/lnm
if [ "$systemd" -eq 1 ]; then
  check "lnm.service stopped" test "$(systemctl is-active lnm 2>/dev/null)" != active
else
  skip "lnm.service stopped by the remove (no systemd)"
fi

# --- purge -----------------------------------------------------------------------------------
echo "deb-test: apt-get purge lnm"
apt_do purge lnm >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; die "purge failed"; }
check "purged: dpkg forgets lnm" not_known
check "/etc/lnm gone" test ! -e /etc/lnm
check "/var/log/lnm gone" test ! -e /var/log/lnm
check "/var/lib/lnm gone" test ! -e /var/lib/lnm
check "/etc/logrotate.d/lnm gone" test ! -e /etc/logrotate.d/lnm
check "enable link gone" test ! -L /etc/systemd/system/multi-user.target.wants/lnm.service
check "user lnm kept (Debian keeps system users; deluser lnm removes it)" logged /dev/null getent passwd lnm

for s in "${skipped[@]}"; do echo "deb-test: not checked here: $s"; done
if [ "$fails" -gt 0 ]; then
  echo "deb-test: $fails check(s) FAILED" >&2
  exit 1
fi
echo "deb-test: PASS ($version, upgrade to $next, remove, purge)"
