# lnm build. `make run` and `make test` are the README's two commands; both install what
# they need on a fresh Debian machine of this kind (see scripts in .ci/ and appliance/).
SHELL := /bin/bash
MVN ?= mvn -q -B
JAR := target/lnm.jar
CONFIG ?= conf/lnm.properties

.PHONY: build test run clean deps test-deps image appliance vm-test bench soak

build: $(JAR)

$(JAR): pom.xml $(shell find src/main -type f 2>/dev/null)
	$(MVN) -DskipTests package

# Packages the integration tests drive as real peers (curl, openssl, mosquitto, iproute2, ...).
test-deps:
	@bash .ci/install-test-deps.sh

test: test-deps
	mvn -B -ntp verify

run: $(JAR)
	java -jar $(JAR) run --config $(CONFIG)

clean:
	rm -rf target build

-include mk/*.mk
