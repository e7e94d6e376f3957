#!/usr/bin/env bash
# The image is linked from a JDK 25 when the machine has one (find-jdk.sh); otherwise from JDK
# 17, whose jlink needs the jmods Debian ships apart (openjdk-17-jmods). Installs those when
# they are needed, missing, and this runs as root; otherwise says what to install.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
first=$(bash "$here/find-jdk.sh" | sed -n 1p)
[ "$first" != "$JDK17" ] && exit 0 # LNM_JDK, or a JDK 25: build-image.sh checks it can link
[ -f "$JDK17/jmods/jdk.httpserver.jmod" ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "make image: no JDK 25 under /usr/lib/jvm and $JDK17/jmods missing: install openjdk-17-jmods (as root: apt-get install openjdk-17-jmods)" >&2
  exit 1
fi
echo "make image: installing openjdk-17-jmods" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends openjdk-17-jmods >/dev/null
