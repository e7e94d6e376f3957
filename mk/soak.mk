# make soak: lnm (a child process) under mixed load for SOAK_SECONDS (default 10 minutes):
# verified streams, a slowloris crowd, floods past the connection limit, refusals of every
# kind, all on loopback. Prints RSS and open file descriptors of the lnm process every
# SOAK_SAMPLE seconds and fails unless both are flat at the end and every connection has its
# audit record, counted across the audit log's rotation set (the run sets audit.maxBytes so
# that it rotates whatever the machine's speed, and checks that rotation kept the order and
# cut no line). The verdict never depends on how many connections the machine managed.
# Not part of `make test` (too long); see src/test/java/lnm/hardening/Soak.java.
SOAK_SECONDS ?= 600
SOAK_SAMPLE ?= 30

soak:
	$(MVN) -q test-compile
	java -cp target/classes:target/test-classes lnm.hardening.Soak $(SOAK_SECONDS) $(SOAK_SAMPLE)
