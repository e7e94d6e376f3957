#!/usr/bin/env bash
# Builds the lnm runtime image: a jlink image holding only the JDK modules lnm uses plus lnm
# itself as a module, stripped and compressed, with a class-data-sharing archive made from a
# training run, and the launcher bin/lnm.
#
#   build-image.sh JAR OUT [CONF_DIR]
#
# JDK17 (default /usr/lib/jvm/java-17-openjdk-amd64) must have jmods/ (Debian openjdk-17-jmods).
#
# Why lnm goes into the image as a module instead of a jar on the class path: a static CDS
# archive only covers the class path it was dumped with, by absolute path, so an archive made
# in build/image would not apply once installed in /opt/lnm. Classes in the image's own
# lib/modules are archived relative to the image, so one archive works wherever it is copied.
# lnm.jar is not modular, so a module descriptor is generated here: an open module (resources
# and reflection behave as on the class path) that requires what jdeps finds.
set -euo pipefail

jar_in=${1:?usage: build-image.sh JAR OUT [CONF_DIR]}
out=${2:?usage: build-image.sh JAR OUT [CONF_DIR]}
conf_dir=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
work=$(mktemp -d "${TMPDIR:-/tmp}/lnm-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { echo "build-image: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ -x "$JDK17/bin/jlink" ] || die "no jlink in $JDK17 (set JDK17 to a JDK 17 home)"
[ -f "$JDK17/jmods/java.base.jmod" ] && [ -f "$JDK17/jmods/jdk.httpserver.jmod" ] ||
  die "$JDK17/jmods is incomplete: apt-get install openjdk-17-jmods"
[ -f "$jar_in" ] || die "$jar_in not found (mvn -DskipTests package)"

# --- modules: what jdeps sees in the jar, plus the two the design names explicitly --------
# and jdk.crypto.ec, the JDK 17 provider of Ed25519 (fleet bundle signatures), which jdeps
# cannot see because providers are found at run time
deps=$("$JDK17/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar_in")
modules=$(printf '%s\n' ${deps//,/ } jdk.httpserver java.management jdk.crypto.ec | sort -u | paste -sd, -)
say "JDK modules: $modules"
version=$("$JDK17/bin/java" -jar "$jar_in" version | awk '{print $2}')
[[ "$version" =~ ^[0-9A-Za-z.+-]+$ ]] || die "cannot read the version from $jar_in"

# --- make lnm.jar a module ------------------------------------------------------------------
mkdir -p "$work/src" "$work/classes"
{
  echo "open module lnm {"
  for m in ${modules//,/ }; do
    [ "$m" = java.base ] || echo "    requires $m;"
  done
  echo "}"
} >"$work/src/module-info.java"
"$JDK17/bin/javac" -nowarn -d "$work/classes" --patch-module "lnm=$jar_in" "$work/src/module-info.java"
cp "$jar_in" "$work/lnm.jar"
"$JDK17/bin/jar" --update --file "$work/lnm.jar" --main-class lnm.cli.Main \
  --module-version "$version" -C "$work/classes" module-info.class

# --- link --------------------------------------------------------------------------------
rm -rf "$out"
mkdir -p "$(dirname "$out")"
"$JDK17/bin/jlink" \
  --module-path "$work/lnm.jar:$JDK17/jmods" \
  --add-modules "lnm,$modules" \
  --strip-debug --no-header-files --no-man-pages --compress=2 \
  --release-info "add:LNM_VERSION=$version" \
  --output "$out"
# jlink's --strip-debug covers class files only; Debian's libjvm.so still has a symbol table
# (4 MB). Dynamic symbols stay, so crash reports still name JVM entry points.
find "$out/bin" "$out/lib" -type f \( -name '*.so' -o -perm -u+x \) -print0 |
  while IFS= read -r -d '' f; do
    if head -c4 "$f" | grep -q 'ELF'; then
      strip --strip-unneeded --remove-section=.gnu_debuglink "$f"
    fi
  done
install -m 0755 "$here/launcher.sh" "$out/bin/lnm"

# --- class-data-sharing archive from a training run ------------------------------------------
# The archive must be dumped with the launcher's GC and heap size (compressed oops layout).
# -Xshare:dump with -XX:SharedClassListFile replaces lib/server/classes.jsa, the default
# archive that -Xshare:auto maps at every start.
dump_flags=(-XX:+UseSerialGC -Xmx256m)
lists=("$out/lib/classlist") # the JDK's own startup class list, kept by jlink
n=0
train() { # train ARGS...: one run of lnm that records the classes it loaded
  n=$((n + 1))
  LNM_JAVA_OPTS="-Xshare:off -XX:DumpLoadedClassList=$work/train.$n.list" "$out/bin/lnm" "$@"
}
train version >/dev/null
lists+=("$work/train.$n.list")
if [ -n "$conf_dir" ] && [ -f "$conf_dir/lnm.properties" ]; then
  rc=0
  train check --config "$conf_dir/lnm.properties" >"$work/check.out" 2>&1 || rc=$?
  if [ "$rc" -le 1 ]; then
    lists+=("$work/train.$n.list")
    [ "$rc" -eq 0 ] || say "warning: lnm check rejects $conf_dir/lnm.properties: $(head -3 "$work/check.out")"
  else
    say "training: lnm check not available yet (exit $rc), skipped"
  fi
fi
if bash "$here/train-run.sh" "$out/bin/lnm" "$work/train.run.list" "$work/run"; then
  lists+=("$work/train.run.list")
fi
# Keep the merged list in the image as lib/classlist, so `bin/java -Xshare:dump` there
# rebuilds the same archive.
cat "${lists[@]}" | grep -v '^#' | awk 'NF && !seen[$0]++' >"$work/classlist"
install -m 0644 "$work/classlist" "$out/lib/classlist"
rm -f "$out/lib/server/classes.jsa"
"$out/bin/java" "${dump_flags[@]}" -Xshare:dump \
  -XX:SharedClassListFile="$out/lib/classlist" \
  -XX:SharedArchiveFile="$out/lib/server/classes.jsa" --add-modules lnm \
  -Xlog:cds=error -Xlog:cds+map=off >"$work/dump.log" 2>&1 ||
  { cat "$work/dump.log" >&2; die "CDS dump failed"; }
chmod 0644 "$out/lib/server/classes.jsa"

# --- verify: the launcher maps the archive and lnm's own classes come from it ----------------
shared=$(LNM_JAVA_OPTS="-Xshare:on -Xlog:class+load=info:stdout" "$out/bin/lnm" version |
  grep -c '^.*lnm\.[A-Za-z.$]* source: shared objects file' || true)
[ "$shared" -gt 0 ] || die "CDS archive not used for lnm classes"
total=$(LNM_JAVA_OPTS="-Xshare:on -Xlog:class+load=info:stdout" "$out/bin/lnm" version |
  grep -c 'source: ' || true)
from_cds=$(LNM_JAVA_OPTS="-Xshare:on -Xlog:class+load=info:stdout" "$out/bin/lnm" version |
  grep -c 'source: shared objects file' || true)
"$out/bin/lnm" version >/dev/null || die "image does not run"
say "CDS: $from_cds of $total classes loaded by 'lnm version' come from the archive ($shared of lnm's)"
say "$out: $(du -sh "$out" | cut -f1), modules: $("$out/bin/java" --list-modules | sed 's/@.*//' | paste -sd' ' -)"
