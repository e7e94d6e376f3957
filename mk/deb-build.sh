#!/usr/bin/env bash
# Builds the Debian package lnm with dpkg-deb from the jlink runtime image:
#   mk/deb-build.sh VERSION IMAGE_DIR OUT.deb
# Contents: the image under /opt/lnm, /usr/bin/lnm linking to its launcher, conf/ and
# appliance/lnm.env as conffiles in /etc/lnm, appliance/logrotate.conf as /etc/logrotate.d/lnm,
# appliance/lnm.service and appliance/sysusers.conf where systemd looks for a package's own,
# the maintainer scripts, man page and lintian overrides of mk/deb/. Depends: from dpkg-shlibdeps over
# the image's ELF files. Owners root, times the last commit's (or SOURCE_DATE_EPOCH).
set -euo pipefail
umask 022
die() { echo "deb-build: error: $*" >&2; exit 1; }
[ $# -eq 3 ] || die "usage: mk/deb-build.sh VERSION IMAGE_DIR OUT.deb"
version=$1 image=$2 out=$3
top=$(cd "$(dirname "$0")/.." && pwd)
deb=$top/mk/deb app=$top/appliance
# Debian version: starts with a digit; digits, letters, . + ~ (no revision: the package is
# built from this tree, not from a separate Debian source)
[[ $version =~ ^[0-9][A-Za-z0-9.+~]*$ ]] || die "'$version' is not a Debian version (e.g. 0.9.0, 0.9.0~rc1)"
[ -x "$image/bin/lnm" ] && [ -f "$image/lib/modules" ] || die "$image is not an lnm runtime image (make image)"
command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null || die "needs dpkg-deb and dpkg-shlibdeps (apt-get install dpkg-dev)"
maintainer=${DEB_MAINTAINER:-$(git -C "$top" log -1 --format='%an <%ae>' "$(git -C "$top" rev-list --max-parents=0 HEAD | tail -1)" 2>/dev/null || true)}
[ -n "$maintainer" ] || die "set DEB_MAINTAINER='Name <address>'"
# LNM_CONF_DIR: the default configuration to ship (conf/; mk/deb-test.sh gives a changed copy)
conf=${LNM_CONF_DIR:-$top/conf}
[ -f "$conf/lnm.properties" ] || die "$conf/lnm.properties missing"
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}

stage=$(mktemp -d "${TMPDIR:-/tmp}/lnm-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# dpkg-shlibdeps finds the package root by its DEBIAN folder and wants debian/control
root=$stage/debian/lnm
mkdir -p "$root/DEBIAN"

# --- runtime image and the command -----------------------------------------------------------
install -d "$root/opt" "$root/usr/bin"
cp -R "$image" "$root/opt/lnm"
chmod -R u+w,go-w,a+rX "$root/opt/lnm"
ln -s /opt/lnm/bin/lnm "$root/usr/bin/lnm"

# --- configuration (conffiles) ---------------------------------------------------------------
# postinst gives /etc/lnm and these files to group lnm, readable by the service only.
install -d "$root/etc/lnm" "$root/etc/logrotate.d"
for f in "$conf"/*; do
  [ -f "$f" ] || continue
  name=$(basename "$f")
  if [ "$name" = lnm.properties ]; then
    { cat "$deb/lnm.properties.head"
      sed -E -f "$app/audit-to-var-log.sed" -f "$deb/listen-loopback.sed" "$f"; } >"$root/etc/lnm/$name"
  else
    install -m 0644 "$f" "$root/etc/lnm/$name"
  fi
done
install -m 0644 "$app/lnm.env" "$root/etc/lnm/lnm.env"
install -m 0644 "$app/logrotate.conf" "$root/etc/logrotate.d/lnm"
# Deny by default: a listener the sed script did not bind to loopback (an IPv6 or other
# address added to conf/ later) fails the build instead of shipping exposed.
exposed=$(grep -nE '^[[:space:]]*(listen\.[A-Za-z0-9_-]+|dns\.listen|fleet\.listen|admin\.listen)[[:space:]]*[=:]' \
  "$root/etc/lnm/lnm.properties" | grep -vE '[=:][[:space:]]*(127\.0\.0\.1:[0-9]+|off)[[:space:]]*$' || true)
[ -z "$exposed" ] || die "listeners of the packaged lnm.properties not on 127.0.0.1: $exposed"
grep -qE '^audit\.file = /var/log/lnm/' "$root/etc/lnm/lnm.properties" || die "audit.file of the packaged lnm.properties is not in /var/log/lnm"
(cd "$root" && find etc -type f | sort | sed 's|^|/|') >"$root/DEBIAN/conffiles"

# --- systemd unit and service user -------------------------------------------------------------
install -d "$root/lib/systemd/system" "$root/usr/lib/sysusers.d"
install -m 0644 "$app/lnm.service" "$root/lib/systemd/system/lnm.service"
install -m 0644 "$app/sysusers.conf" "$root/usr/lib/sysusers.d/lnm.conf"

# --- documentation and lintian overrides -------------------------------------------------------
doc=$root/usr/share/doc/lnm
install -d "$doc" "$root/usr/share/lintian/overrides" "$root/usr/share/man/man1"
install -m 0644 "$deb/copyright" "$doc/copyright"
gzip -n -9 <"$deb/lnm.1" >"$root/usr/share/man/man1/lnm.1.gz"
{ printf 'lnm (%s) unstable; urgency=medium\n\n' "$version"
  printf '  * lnm %s, built from commit %s.\n\n' "$version" "$(git -C "$top" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf ' -- %s  %s\n' "$maintainer" "$(date -R -u -d "@$epoch")"; } | gzip -n -9 >"$doc/changelog.gz"
install -m 0644 "$deb/lintian-overrides" "$root/usr/share/lintian/overrides/lnm"

# --- control ---------------------------------------------------------------------------------
for s in postinst prerm postrm; do install -m 0755 "$deb/$s" "$root/DEBIAN/$s"; done
mapfile -t elves < <(find "$root/opt/lnm" -type f -exec sh -c 'head -c4 "$1" | grep -q "^.ELF"' _ {} \; -print | sort)
[ "${#elves[@]}" -gt 0 ] || die "no ELF files in the image"
printf 'Source: lnm\n\nPackage: lnm\nArchitecture: amd64\n' >"$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O -l"$root/opt/lnm/lib" -l"$root/opt/lnm/lib/server" "${elves[@]}" 2>"$stage/shlibdeps.log" |
  sed -n 's/^shlibs:Depends=//p') || { cat "$stage/shlibdeps.log" >&2; die "dpkg-shlibdeps failed"; }
[ -n "$shlibs" ] || { cat "$stage/shlibdeps.log" >&2; die "dpkg-shlibdeps found no dependencies"; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@MAINTAINER@|$maintainer|" -e "s|@SIZE@|$size|" \
  -e "s|@SHLIBS@|$shlibs|" "$deb/control.in" >"$root/DEBIAN/control"

(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$epoch" {} +
mkdir -p "$(dirname "$out")"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out.tmp" >/dev/null
mv "$out.tmp" "$out"
echo "deb-build: $out ($(du -h "$out" | cut -f1)), Depends: $shlibs, systemd" >&2
