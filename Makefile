# lnm build. `make run` and `make test` are the README's two commands; both install what
# they need on a fresh Debian machine of this kind (.ci/install-test-deps.sh, mk/*.mk).
SHELL := /bin/bash
MVN ?= mvn -q -B
JAR := target/lnm.jar
CONFIG ?= conf/lnm.properties

.PHONY: build test run clean test-deps

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

# Packages the integration tests drive as real peers (curl, openssl, mosquitto, iproute2, ...).
test-deps:
	@bash .ci/install-test-deps.sh

# The appliance tarball comes first: its install test runs inside the suite. The container
# image and its Podman tests (mk/container.mk) run before the suite, about a minute.
test: test-deps appliance container-test
	ulimit -n 65536 2>/dev/null || ulimit -n $$(ulimit -Hn); mvn -B -ntp verify

run: $(JAR)
	java -jar $(JAR) run --config $(CONFIG)

clean:
	rm -rf target build

# image, appliance, vm-test, startup-time (appliance.mk); bench (bench.mk); soak (soak.mk);
# load-test (load.mk): the timing tests `make test` leaves out; ha-test (ha.mk)
# container, container-test (container.mk); deb, deb-test (deb.mk)
-include mk/*.mk
