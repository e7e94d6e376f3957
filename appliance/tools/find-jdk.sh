#!/usr/bin/env bash
# Prints, one a line and best first, the JDK homes the runtime image can be linked from.
#
#   LNM_JDK=/path/to/jdk   only that one
#   otherwise              every JDK 25 under /usr/lib/jvm (LNM_JVM_DIR) (Temurin's ships no jmods/ but can
#                          link from its own runtime), then JDK17 (default Debian's
#                          /usr/lib/jvm/java-17-openjdk-amd64, which needs openjdk-17-jmods).
#
# JDK 25 comes first because the image it links starts faster and keeps less resident than
# JDK 17's (measured: src/bench/HISTORY.md); lnm's classes stay at release 17 either way, so
# JDK 17 remains a complete fallback on a machine without a 25.
set -euo pipefail
if [ -n "${LNM_JDK:-}" ]; then echo "$LNM_JDK"; exit 0; fi
major() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null; }
for home in "${LNM_JVM_DIR:-/usr/lib/jvm}"/*; do
    [ -d "$home" ] && [ ! -L "$home" ] && [ -x "$home/bin/jlink" ] && [ "$(major "$home")" = 25 ] && echo "$home"
done
echo "${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}"
