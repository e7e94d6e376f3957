#!/usr/bin/env bash
# Packs the appliance tarball: lnm-<version>-linux-x64/{image,conf,appliance}.
#   dist.sh VERSION IMAGE_DIR OUT.tar.gz
# appliance/tools (this build tooling) stays out. Owners are root, times the last commit's
# (or SOURCE_DATE_EPOCH), names sorted: the same inputs give the same archive.
set -euo pipefail
version=${1:?} image=${2:?} out=${3:?}
top=$(cd "$(dirname "$0")/../.." && pwd)
name=lnm-$version-linux-x64
[ -x "$image/bin/lnm" ] || { echo "dist: $image/bin/lnm missing (make image)" >&2; exit 1; }
[ -f "$top/conf/lnm.properties" ] || { echo "dist: conf/lnm.properties missing" >&2; exit 1; }
stage=$(mktemp -d "${TMPDIR:-/tmp}/lnm-dist.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/appliance"
cp -R --preserve=mode,timestamps "$image" "$stage/$name/image"
cp -R --preserve=mode,timestamps "$top/conf" "$stage/$name/conf"
find "$top/appliance" -maxdepth 1 -type f -exec cp --preserve=mode {} "$stage/$name/appliance/" \;
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --clamp-mtime \
  -C "$stage" -cf - "$name" | gzip -n -9 >"$out.tmp"
mv "$out.tmp" "$out"
echo "dist: $out ($(du -h "$out" | cut -f1))" >&2
