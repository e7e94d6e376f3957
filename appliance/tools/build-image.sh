#!/usr/bin/env bash
# Builds the lnm runtime image: a jlink image holding only the JDK modules lnm uses plus lnm
# itself as a module, stripped and compressed, with a class-data-sharing archive made from a
# training run, and the launcher bin/lnm.
#
#   build-image.sh JAR OUT [CONF_DIR]
#
# The JDK it links from is the first of `find-jdk.sh` that links: JDK17 (default
# /usr/lib/jvm/java-17-openjdk-amd64, with Debian's openjdk-17-jmods), else a JDK 25 under
# /usr/lib/jvm (Temurin's links from its own runtime, no jmods/ needed); LNM_JDK=25 or
# LNM_JDK=/path chooses. lnm's classes are release 17 either way. The image's JVM flags are
# lib/lnm.jvmflags (from lnm.jvmflags here), valid on both.
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
work=$(mktemp -d "${TMPDIR:-/tmp}/lnm-image.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { echo "build-image: $*" >&2; }
die() { say "error: $*"; exit 1; }
[ -f "$jar_in" ] || die "$jar_in not found (mvn -DskipTests package)"

# --- modules: what jdeps sees in the jar, plus java.management (the metrics' heap and buffer
# figures) and jdk.crypto.ec, the JDK 17 provider of Ed25519 (fleet signatures), which jdeps
# cannot see because providers are found at run time (any JDK's tools do for this; the first
# usable one is taken). The side ports are lnm's own NIO server: no jdk.httpserver.
mapfile -t jdks < <(bash "$here/find-jdk.sh")
tools=""
for j in "${jdks[@]}"; do [ -x "$j/bin/javac" ] && [ -x "$j/bin/jdeps" ] && tools=$j && break; done
[ -n "$tools" ] || die "no JDK found (looked at: ${jdks[*]}); set LNM_JDK or install openjdk-17-jdk-headless"
deps=$("$tools/bin/jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps "$jar_in")
modules=$(printf '%s\n' ${deps//,/ } java.management jdk.crypto.ec | sort -u | paste -sd, -)
say "JDK modules: $modules"
version=$("$tools/bin/java" -jar "$jar_in" version | awk '{print $2}')
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
"$tools/bin/javac" --release 17 -nowarn -d "$work/classes" --patch-module "lnm=$jar_in" "$work/src/module-info.java"
cp "$jar_in" "$work/lnm.jar"
"$tools/bin/jar" --update --file "$work/lnm.jar" --main-class lnm.cli.Main \
  --module-version "$version" -C "$work/classes" module-info.class

# --- link: from the first JDK that can --------------------------------------------------------
link() { # link JDK: jlink the image into $out from that JDK's jmods, or from its own runtime
  local jdk=$1 mp=$work/lnm.jar compress=zip-6
  [ -x "$jdk/bin/jlink" ] || { say "$jdk: no jlink"; return 1; }
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
  [ "${major:-0}" -ge 17 ] || { say "$jdk: not a JDK 17 or later"; return 1; }
  [ "$major" -ge 21 ] || compress=2
  if [ -f "$jdk/jmods/java.base.jmod" ]; then
    mp=$mp:$jdk/jmods
  elif [ "$major" -lt 24 ]; then
    say "$jdk: no jmods/ (Debian: apt-get install openjdk-$major-jmods)"; return 1
  fi # else JDK 24+: links from its own runtime if it was built to (Temurin's are)
  rm -rf "$out"
  mkdir -p "$(dirname "$out")"
  "$jdk/bin/jlink" \
    --module-path "$mp" \
    --add-modules "lnm,$modules" \
    --strip-debug --no-header-files --no-man-pages --compress=$compress \
    --release-info "add:LNM_VERSION=$version" \
    --output "$out" 2>"$work/jlink.err" || { say "$jdk: jlink failed: $(head -c 300 "$work/jlink.err")"; return 1; }
}
linked=""
for j in "${jdks[@]}"; do link "$j" && linked=$j && break; done
[ -n "$linked" ] || die "no JDK could link the image (tried: ${jdks[*]}); install openjdk-17-jmods or set LNM_JDK"
say "linked from $linked ($("$out/bin/java" -version 2>&1 | sed -n 2p))"
# jlink's --strip-debug covers class files only; Debian's libjvm.so still has a symbol table
# (4 MB). Dynamic symbols stay, so crash reports still name JVM entry points.
find "$out/bin" "$out/lib" -type f \( -name '*.so' -o -perm -u+x \) -print0 |
  while IFS= read -r -d '' f; do
    if head -c4 "$f" | grep -q 'ELF'; then
      strip --strip-unneeded --remove-section=.gnu_debuglink "$f"
    fi
  done
install -m 0755 "$here/launcher.sh" "$out/bin/lnm"
install -m 0644 "$here/lnm.jvmflags" "$out/lib/lnm.jvmflags"

# --- class-data-sharing archive from a training run ------------------------------------------
# The archive must be dumped with the launcher's GC and heap size (compressed oops layout), so
# the dump reads the same lib/lnm.jvmflags (its -Xshare:dump comes later and wins).
# -Xshare:dump with -XX:SharedClassListFile replaces lib/server/classes.jsa, the default
# archive that -Xshare:auto maps at every start.
dump_flags=("@$out/lib/lnm.jvmflags")
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
# Each run numbers its classes ("NAME id: N"); the numbers of different runs clash (JDK 25
# rejects that), and classes of the boot, platform and app loaders need none, so they go.
cat "${lists[@]}" | grep -v '^#' | sed -E 's/^([^@ ][^ ]*) id: [0-9]+$/\1/' | awk 'NF && !seen[$0]++' >"$work/classlist"
install -m 0644 "$work/classlist" "$out/lib/classlist"
rm -f "$out/lib/server/classes.jsa"
"$out/bin/java" "${dump_flags[@]}" -Xshare:dump \
  -XX:SharedClassListFile="$out/lib/classlist" \
  -XX:SharedArchiveFile="$out/lib/server/classes.jsa" --add-modules lnm \
  -Xlog:cds=error >"$work/dump.log" 2>&1 ||
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
