#!/usr/bin/env bash
# Lays out the root filesystem of the lnm container image: the jlink runtime image and the C
# libraries its binaries link, nothing else (no shell, no package manager, no coreutils).
#
#   container-rootfs.sh IMAGE_DIR LAUNCHER CONF_DIR OUT
#
# OUT/root         the filesystem: /opt/lnm (runtime image), the libraries ldd names, the
#                  dynamic loader, /etc/passwd and /etc/group with the user lnm (65532),
#                  /etc/nsswitch.conf, /etc/lnm (a default config for containers), an empty /tmp
# OUT/Containerfile FROM scratch, user 65532, the entrypoint
#
# The image has no shell, so the launcher script (bin/lnm) cannot run in it. The entrypoint
# execs bin/java directly with the JVM flags the launcher uses too: the image's java argument
# file /opt/lnm/lib/lnm.jvmflags, one place for the flags.
set -euo pipefail
image=${1:?usage: container-rootfs.sh IMAGE_DIR LAUNCHER CONF_DIR OUT}
launcher=${2:?usage}
conf=${3:?usage}
out=${4:?usage}
say() { echo "container-rootfs: $*" >&2; }
die() { say "error: $*"; exit 1; }
[ -x "$image/bin/java" ] || die "$image/bin/java missing (make image)"

root=$out/root
rm -rf "$out"
mkdir -p "$root/opt" "$root/etc/lnm" "$root/tmp"
chmod 1777 "$root/tmp"
cp -a "$image" "$root/opt/lnm"
rm -f "$root/opt/lnm/bin/lnm" # the shell launcher; no shell here to run it

# --- the JVM flags: the image's own java argument file, which the launcher reads too
[ -f "$root/opt/lnm/lib/lnm.jvmflags" ] || die "$image/lib/lnm.jvmflags missing (make image)"
arena=$(sed -n 's/^export MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-\([0-9]*\)}.*/\1/p' "$launcher")

# --- the C libraries every ELF file links, and the dynamic loader, at the paths ldd names
elves=()
while IFS= read -r -d '' f; do
  if [ "$(head -c4 "$f" | tr -d '\000' | tail -c3)" = ELF ]; then elves+=("$f"); fi
done < <(find "$root/opt/lnm" -type f \( -name '*.so' -o -perm -u+x \) -print0)
[ ${#elves[@]} -gt 0 ] || die "no ELF files found in $image"
libs=$(for e in "${elves[@]}"; do ldd "$e" 2>/dev/null || true; done |
  awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }' | sort -u)
for lib in $libs; do
  case "$lib" in "$root"/*) continue ;; esac # the image's own libraries (found via $ORIGIN)
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "the dynamic loader was not found by ldd"

# --- users, name service, default config
printf 'root:x:0:0:root:/nonexistent:/nonexistent\nlnm:x:65532:65532:lnm:/nonexistent:/nonexistent\n' >"$root/etc/passwd"
printf 'root:x:0:\nlnm:x:65532:\n' >"$root/etc/group"
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
# The default config: conf/ with what a container needs (audit to stdout, the admin endpoint on
# the container's address for probes; publish only the proxy ports).
sed -e 's/^audit\.file = .*/audit.file = -/' -e 's/^admin\.listen = .*/admin.listen = 0.0.0.0:9090/' \
  "$conf/lnm.properties" >"$root/etc/lnm/lnm.properties"
cp "$conf/allowlist.properties" "$root/etc/lnm/allowlist.properties"
grep -q '^audit.file = -$' "$root/etc/lnm/lnm.properties" || die "cannot set audit.file in the default config"

for f in sh bash busybox dash apt dpkg; do
  if find "$root" -name "$f" -print -quit | grep -q .; then die "$f found in the image root"; fi
done

version=$(sed -n 's/^LNM_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$image/release")
cat >"$out/Containerfile" <<CF
FROM scratch
COPY root/ /
ENV MALLOC_ARENA_MAX=${arena:-2}
USER 65532:65532
WORKDIR /etc/lnm
EXPOSE 8443 8883
LABEL org.opencontainers.image.title="lnm" org.opencontainers.image.version="$version"
ENTRYPOINT ["/opt/lnm/bin/java", "@/opt/lnm/lib/lnm.jvmflags", "-m", "lnm/lnm.cli.Main"]
CMD ["run", "--config", "/etc/lnm/lnm.properties"]
CF
say "root: $(du -sh "$root" | cut -f1), $(echo "$libs" | wc -w) system libraries"
