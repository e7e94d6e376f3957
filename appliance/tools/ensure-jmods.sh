#!/usr/bin/env bash
# The image is linked from JDK 17 (find-jdk.sh), whose jlink needs the jmods Debian ships apart
# (openjdk-17-jmods). Installs those when JDK 17 is the JDK to use, they are missing, and this
# runs as root; otherwise a JDK 25 will do, or it says what to install.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
JDK17=${JDK17:-/usr/lib/jvm/java-17-openjdk-amd64}
mapfile -t jdks < <(bash "$here/find-jdk.sh")
[ "${jdks[0]:-}" = "$JDK17" ] || exit 0 # LNM_JDK chose: build-image.sh checks it can link
[ -f "$JDK17/jmods/java.base.jmod" ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "make image: installing openjdk-17-jmods" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends openjdk-17-jmods >/dev/null
  exit 0
fi
[ ${#jdks[@]} -gt 1 ] && { echo "make image: $JDK17/jmods missing (apt-get install openjdk-17-jmods): linking from ${jdks[1]}" >&2; exit 0; }
echo "make image: $JDK17/jmods missing and no JDK 25 under /usr/lib/jvm: install openjdk-17-jmods (as root: apt-get install openjdk-17-jmods)" >&2
exit 1
