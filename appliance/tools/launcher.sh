#!/bin/sh
# lnm launcher, installed as bin/lnm in the jlink runtime image.
#
# Runs lnm on the Java runtime next to it with the flags in lib/lnm.jvmflags (a java argument
# file, one flag a line, each explained there): Serial GC, an explicit bounded heap, bounded
# direct memory, metaspace and code cache, exit on OutOfMemoryError, the class-data-sharing
# archive, no hsperfdata file and no attach listener. A container without a shell runs the same
# command line: bin/java @lib/lnm.jvmflags -m lnm/lnm.cli.Main ARGS (with MALLOC_ARENA_MAX=2).
#
# LNM_JAVA_OPTS is added after those flags, and for HotSpot the last occurrence of a flag wins,
# so it can override any of them, e.g. LNM_JAVA_OPTS="-Xmx512m -XX:MaxDirectMemorySize=1g"
# (lnm.service reads it from /etc/lnm/lnm.env).
#
# exec keeps the PID: systemd's SIGHUP (reload) and SIGTERM (drain) reach the JVM itself.
self=$(readlink -f "$0") || exit 127
home=${self%/bin/*}
# Few glibc malloc arenas (and the periodic native-heap trim in lnm.jvmflags): the JIT's
# scratch memory goes back to the system instead of staying in RSS.
export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
set -f # LNM_JAVA_OPTS is split on spaces on purpose; never glob it
# A SIGHUP ignored by whatever started lnm (nohup) stays ignored in the JVM, so lnm could not
# reload on it: coreutils' env (8.31 and later) restores its default first, and lnm handles it.
# A shell cannot do this itself (a signal ignored on entry cannot be trapped).
reset=
if env --default-signal=HUP true 2>/dev/null; then reset="env --default-signal=HUP"; fi
# shellcheck disable=SC2086
exec $reset "$home/bin/java" "@$home/lib/lnm.jvmflags" ${LNM_JAVA_OPTS:-} -m lnm/lnm.cli.Main "$@"
