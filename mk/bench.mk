# `make bench`: lnm side by side with nginx (stream, ssl_preread), HAProxy (req.ssl_sni) and
# sniproxy on loopback, plus a direct run as the machine's ceiling, and the ClientHello parser
# micro-benchmark. Installs the peers from Debian's packages when missing. Takes about 7 minutes.
# Output: the table on stdout, target/bench/results.md and target/bench/results.svg.
# Knobs: BENCH_SECONDS, BENCH_REPS, BENCH_TARGETS, BENCH_IDLE_CONNS, LNM_JVM_FLAGS (see src/bench/run.sh).
.PHONY: bench
bench:
	bash src/bench/run.sh
