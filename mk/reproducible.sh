#!/usr/bin/env bash
# Builds the jar a second time from a copy of the sources in a fresh folder and compares it byte
# for byte with JAR: two builds of one commit must give the same jar (pom.xml pins every entry's
# time with project.build.outputTimestamp). One build, about 20 s.
#
#   reproducible.sh JAR
set -euo pipefail
jar=${1:?usage: reproducible.sh JAR}
here=$(cd "$(dirname "$0")/.." && pwd)
read -r -a mvn <<<"${MVN:-mvn -q -B}"
work=$(mktemp -d "${TMPDIR:-/tmp}/lnm-repro.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/src"
cp "$here/pom.xml" "$work/"
cp -r "$here/src/main" "$work/src/"
cp -r "$here/conf" "$work/"
(cd "$work" && "${mvn[@]}" -Dmaven.test.skip=true package)

first=$(sha256sum <"$jar" | cut -d' ' -f1)
second=$(sha256sum <"$work/target/$(basename "$jar")" | cut -d' ' -f1)
if [ "$first" != "$second" ]; then
  echo "reproducible: FAIL: $jar is $first, a second build of the same sources is $second" >&2
  exit 1
fi
echo "reproducible: ok: a second build of the same sources gives the same jar ($first)"
