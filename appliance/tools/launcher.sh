#!/bin/sh
# lnm launcher, installed as bin/lnm in the jlink runtime image.
#
# Runs lnm on the Java runtime next to it with flags for a small level-4 box:
#  - bounded heap, direct (socket buffer) memory and metaspace, so the process has a known
#    ceiling and a leak or a connection flood ends in an exit, not in the kernel's OOM killer
#    choosing some other process;
#  - exit on OutOfMemoryError: a JVM that has thrown OOME is in an unknown state, so it exits
#    (code 3) and systemd restarts it (Restart=always in lnm.service);
#  - the serial collector: small heap, one or two cores, no concurrent GC threads; it also
#    starts fastest (measured: about half the start time of G1 on a 2-core box);
#  - the class-data-sharing archive lib/server/classes.jsa (made at build time by a training
#    run) is used by default; -Xshare:auto falls back quietly if it cannot be mapped;
#  - no hsperfdata file in /tmp, no attach listener (a hardened box has no JDK tools, and
#    another process of the same user must not be able to inject code);
#  - JVM warnings go to stderr like lnm's own log.
#
# LNM_JAVA_OPTS is added after these flags, and for HotSpot the last occurrence of a flag
# wins, so it can override any of them, e.g. LNM_JAVA_OPTS="-Xmx512m -XX:MaxDirectMemorySize=1g"
# (lnm.service reads it from /etc/lnm/lnm.env).
#
# exec keeps the PID: systemd's SIGHUP (reload) and SIGTERM (drain) reach the JVM itself.
self=$(readlink -f "$0") || exit 127
home=${self%/bin/*}
# Few glibc malloc arenas and a periodic native-heap trim: the JIT's scratch memory goes back
# to the system instead of staying in RSS (bench: 5,000 idle connections 104 MB -> 72 MB).
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
set -f # LNM_JAVA_OPTS is split on spaces on purpose; never glob it
# shellcheck disable=SC2086
exec "$home/bin/java" \
    -XX:+UseSerialGC \
    -Xms32m -Xmx256m \
    -XX:MaxDirectMemorySize=256m \
    -XX:MaxMetaspaceSize=96m \
    -XX:ReservedCodeCacheSize=64m \
    -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000 \
    -Xss512k \
    -XX:+ExitOnOutOfMemoryError \
    -XX:-UsePerfData \
    -XX:+DisableAttachMechanism \
    -Xshare:auto \
    -Xlog:disable -Xlog:all=warning:stderr:uptime,level,tags \
    -Dfile.encoding=UTF-8 \
    ${LNM_JAVA_OPTS:-} \
    -m lnm/lnm.cli.Main "$@"
