# `make bench`: lnm side by side with nginx (stream, ssl_preread), HAProxy (req.ssl_sni) and
# sniproxy on loopback, plus a direct run as the machine's ceiling, and the ClientHello parser
# micro-benchmark. lnm runs as the jlink image through its launcher (build/image/bin/lnm, built
# here) with the image's own flags; LNM_BENCH_JAR=1 runs the jar with bench-only flags instead.
# System calls per connection of every proxy are counted with strace -c -f. Installs the peers
# from Debian's packages when missing. Takes about 8 minutes, then the per-core run below
# (about 7 more; BENCH_CORE=0 skips it).
# Output: the table on stdout, target/bench/results.md and target/bench/results.svg.
# Knobs: BENCH_SECONDS, BENCH_REPS, BENCH_TARGETS, BENCH_IDLE_CONNS, BENCH_SYSCALL_SECONDS,
# LNM_CMD, LNM_JAVA_OPTS, LNM_BENCH_JAR, LNM_JVM_FLAGS (see src/bench/run.sh).
# A/B of two builds: src/bench/ab.sh; memory of one image: src/bench/mem.sh.
#
# `make bench-core`: the per-core run alone (src/bench/core.sh, about 7 minutes): every proxy
# pinned to one core (two where nproc >= 4), the generator and upstream on the others, a long
# warm-up, then conn/s, CPU µs, system calls and context switches per connection, lnm's CPU by
# thread; peers with and without per-connection logging; and the floor, a bare single-threaded
# Java NIO relay on lnm's runtime and flags (src/bench/java/lnmbench/BareRelay.java). Output:
# target/bench/core/core.md.
# Knobs: BENCH_CORE_WARMUP, BENCH_CORE_SECONDS, BENCH_CORE_REPS, BENCH_CORE_TARGETS,
# BENCH_CORE_SETS, BENCH_CORE_SYSCALL_SECONDS (see src/bench/core.sh).
.PHONY: bench bench-core
bench:
	bash src/bench/run.sh

bench-core:
	bash src/bench/core.sh

# Full speed from the first second: exec-to-accepting of build/image and its conn/s in the
# first 3 s after that against its warm rate (src/bench/firstsecs.sh; 7 runs, about 2 minutes).
# FIRSTSECS_RUNS sets the runs; LNM_JAVA_OPTS passes through to the launcher.
FIRSTSECS_RUNS ?= 7
.PHONY: bench-start
bench-start: image
	bash src/bench/firstsecs.sh build/image $(FIRSTSECS_RUNS)
