#!/usr/bin/env bash
# Installs the Debian packages the test suite uses as real peers. Idempotent; quick when
# everything is present. Needs root (CI runs as root); without root it only reports.
set -euo pipefail
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have curl || need+=(curl)
have openssl || need+=(openssl)
have ip || need+=(iproute2)
have mosquitto || need+=(mosquitto)
have mosquitto_pub || need+=(mosquitto-clients)
have nginx || need+=(nginx)
# squid: the corporate proxy of SquidEgressTest (egress.proxy), with its basic_ncsa_auth helper
[ -x /usr/sbin/squid ] || need+=(squid)
have dig || need+=(dnsutils)
[ -d /usr/lib/jvm/java-17-openjdk-amd64/jmods ] || need+=(openjdk-17-jmods)
# headless browser for the status page test (screenshot under target/)
have chromium || need+=(chromium)
have nft || need+=(nftables)
have logrotate || need+=(logrotate)
# keepalived: install.sh --ha configs are checked with keepalived --config-test; make ha-test runs it
[ -x /usr/sbin/keepalived ] || need+=(keepalived)
# python3: make ha-test's rogue VRRP sender and admin-port impostor (src/test/ha/*.py)
have python3 || need+=(python3)
have systemd-analyze || need+=(systemd)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: missing ${need[*]} (not root: tests that need them will say so and skip)" >&2
  exit 0
fi
echo "install-test-deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
