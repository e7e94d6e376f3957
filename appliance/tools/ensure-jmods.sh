#!/usr/bin/env bash
# jlink needs the JDK's jmods, which Debian ships apart (openjdk-17-jmods). Installs them when
# missing and running as root; otherwise says what to install.
set -euo pipefail
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
[ -f "$JDK17/jmods/jdk.httpserver.jmod" ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "make image: $JDK17/jmods missing: install openjdk-17-jmods (as root: apt-get install openjdk-17-jmods)" >&2
  exit 1
fi
echo "make image: installing openjdk-17-jmods" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends openjdk-17-jmods >/dev/null
