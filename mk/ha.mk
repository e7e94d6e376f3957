# Failover of an active/standby pair with real keepalived in network namespaces (root): a plant
# host's priority-255 VRRP changes nothing; kill -9 (with another process answering on the
# admin port), link down and SIGTERM of the box holding the virtual address, timed. Outside
# `make test`: it runs four JVMs and two keepalived daemons for about a minute and measures
# times, which a busy machine stretches. Prints one line per case (see src/test/ha/failover.sh).
.PHONY: ha-test

ha-test: test-deps $(JAR)
	$(MVN) -q test-compile
	bash src/test/ha/failover.sh
