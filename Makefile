# lnm build. `make run` and `make test` are the README's two commands; both install what
# they need on a fresh Debian machine of this kind (.ci/install-test-deps.sh, mk/*.mk).
SHELL := /bin/bash
# Every Maven call goes through $(MVN); add -q where only errors should show.
MVN ?= mvn -B -ntp
JAR := target/lnm.jar
CONFIG ?= conf/lnm.properties

# The suite and the load tests open thousands of sockets: 65536 descriptors, or the hard limit
# when it is lower.
RAISE_NOFILE := hard=$$(ulimit -Hn); if [ "$$hard" = unlimited ] || [ "$$hard" -ge 65536 ]; then \
	ulimit -n 65536; else ulimit -n "$$hard"; fi

.PHONY: build test run clean test-deps reproducible

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f) conf/allowlist.properties
	$(MVN) -q -DskipTests package

# A second build of the same sources in a fresh folder gives a byte-identical jar.
reproducible: $(JAR)
	MVN="$(MVN) -q" bash mk/reproducible.sh $(JAR)

# Packages the integration tests drive as real peers (curl, openssl, mosquitto, iproute2, ...).
test-deps:
	@bash .ci/install-test-deps.sh

# The appliance tarball comes first: its install test runs inside the suite. The container
# image and its Podman tests (mk/container.mk) run before the suite, about a minute; the
# second build of the jar (reproducible) about 20 s.
test: test-deps appliance container-test reproducible
	$(RAISE_NOFILE); $(MVN) verify

run: $(JAR)
	java -jar $(JAR) run --config $(CONFIG)

clean:
	rm -rf target build

# image, appliance, vm-test, startup-time (appliance.mk); bench (bench.mk); soak (soak.mk);
# load-test (load.mk): the timing tests `make test` leaves out; ha-test (ha.mk)
# container, container-test (container.mk); deb, deb-test (deb.mk)
-include mk/*.mk
