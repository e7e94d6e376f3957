#!/usr/bin/env bash
# End-to-end "real Purdue network" test.
#
# Builds four network namespaces joined by veth pairs (see lib/topology.sh):
#   cloud   nginx (https://management.azure.com/) and mosquitto (myhub.azure-devices.net:8883),
#           certificates from a test CA made here with openssl;
#   level4  lnm, top level: two NICs, resolves names itself (/etc/netns/lnmt-l4/hosts), direct;
#   level3  lnm with parent = level 4 and PROXY v2 towards it, and its built-in DNS;
#   level2  a device whose only link is to level 3; no route to the cloud; its resolver is
#           level 3's DNS (/etc/netns/lnmt-l2/resolv.conf).
# and checks, from level 2: curl through both boxes with certificate verification (with
# --resolve, and plainly through level 3's DNS), an MQTT
# publish over TLS that a subscriber in the cloud receives, a TLS alert for a name that is not
# allowlisted, no direct route to the cloud, the device's address as `origin` in level 4's
# audit record, `via` = parent in level 3's, and lnm exiting 0 on SIGTERM. Fleet (lib/fleet.sh):
# level 3 pulls its allowlist from level 4 (fleet.source = parent); a name removed and re-added
# at level 4 only is denied and allowed again from level 2, a bundle signed by another key is
# refused and the refusal shows in level 4's /fleet, level 4's status page draws level 3, and
# level 3 restarted with an unreachable source and an empty local allowlist runs its last good bundle.
# Probe (lib/probe.sh): `lnm probe` at level 3 names level 4 for a name only level 4 refuses (with
# the PROXY v2 header level 4 audits as the origin), and at level 2 names level 3 for a name level
# 3 refuses; names every level allows answer with the test CA as issuer.
# Onboarding (lib/onboarding.sh): the plant switched to `policy = report` from the top (level 4
# locally, level 3 through its fleet folder); from level 2 listed names and an unlisted name
# (telemetry.unlisted.example, served by the cloud) all succeed, level 4 audits the unlisted one as
# allow/report/wouldDeny=not_allowlisted with the device as origin; `lnm suggest --diff` on level
# 4's audit gives exactly that name; added at both levels with `policy = enforce` again, the same
# clients succeed and a name still unlisted gets a TLS alert; level 4's /devices lists the device
# with its JA4, and openssl s_client after curl from the device counts as a fingerprint change.
#
# Usage (as root): bash src/test/purdue/run.sh
#   exit 0 all checks passed, 1 a check or the setup failed, 77 skipped (reason printed:
#   not root, no `ip`, namespaces not permitted).
# Environment:
#   LNM_CLASSES=DIR   run lnm from compiled classes (java -cp DIR lnm.cli.Main); used by the
#                     JUnit wrapper, inside `mvn verify`, where target/lnm.jar is not built yet
#   LNM_JAR=FILE      run this jar as is
#   (neither)         build with `mvn -q -B -DskipTests package`, run target/lnm.jar
#   LNM_PURDUE_KEEP=1 keep the work directory (it is always kept when something failed)
#
# Everything it creates is removed by the EXIT trap, also on failure or interruption: the
# processes it started (by pid), the lnmt-* namespaces with their veths, /etc/netns/lnmt-*.
# Leftovers of an aborted earlier run are removed before starting. Every wait is bounded.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
# shellcheck source=lib/poll.sh
. "$HERE/lib/poll.sh"
# shellcheck source=lib/topology.sh
. "$HERE/lib/topology.sh"
# shellcheck source=lib/pki.sh
. "$HERE/lib/pki.sh"
# shellcheck source=lib/fleet.sh
. "$HERE/lib/fleet.sh"
# shellcheck source=lib/onboarding.sh
. "$HERE/lib/onboarding.sh"
# shellcheck source=lib/probe.sh
. "$HERE/lib/probe.sh"

SKIP=77
START_MS=$(now_ms)

elapsed() { local now; now=$(now_ms); printf '%d.%03d' $(((now - START_MS) / 1000)) $(((now - START_MS) % 1000)); }
say() { printf '[purdue %7ss] %s\n' "$(elapsed)" "$*"; }
skip() { echo "SKIP: purdue network test: $*"; exit "$SKIP"; }
die() { say "FAILED: $*"; exit 1; }

# ---------------------------------------------------------------------------------- preflight
[ "$(id -u)" -eq 0 ] || skip "not root (uid $(id -u)); it creates network namespaces and veth pairs"
command -v ip >/dev/null 2>&1 || skip "'ip' (iproute2) not found"
missing=()
for tool in java nginx mosquitto mosquitto_pub mosquitto_sub curl dig openssl ss flock timeout; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] || die "missing tools: ${missing[*]} (as root: bash .ci/install-test-deps.sh)"

# One run at a time: the namespace names are fixed.
exec 9>"${TMPDIR:-/tmp}/lnmt-purdue.lock"
flock -w 60 9 || die "another purdue test run holds ${TMPDIR:-/tmp}/lnmt-purdue.lock"

ip netns del lnmt-probe 2>/dev/null || true
if ! probe_err=$(ip netns add lnmt-probe 2>&1); then
    skip "cannot create network namespaces here: $probe_err"
fi
ip netns del lnmt-probe

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lnmt-purdue.XXXXXX")
declare -A PID=()      # name -> pid of what we started in the background
declare -a ORDER=()    # start order, stopped in reverse
FAILED=()
PASSED=()

# -------------------------------------------------------------------------------- teardown
print_file() {
    [ -s "$1" ] || return 0
    echo "----- $1 (last 60 lines)"
    tail -n 60 "$1"
}

stop_pid() { # PID: SIGTERM, up to 5 s, then SIGKILL; reaps it
    local pid=$1
    if ! gone "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        poll 5 gone "$pid" || kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

teardown() {
    local rc=$? i name
    set +e
    trap - ERR
    for ((i = ${#ORDER[@]} - 1; i >= 0; i--)); do
        name=${ORDER[$i]}
        stop_pid "${PID[$name]}"
    done
    if [ "$rc" -ne 0 ]; then
        say "failure: logs follow (work directory $WORK kept)"
        for f in "$WORK"/level4/lnm.log "$WORK"/level3/lnm.log "$WORK"/level3/lnm-restart.log "$WORK"/level3/lnm-onboard.log \
                 "$WORK"/level4/audit.jsonl \
                 "$WORK"/level3/audit.jsonl "$WORK"/cloud/nginx-error.log "$WORK"/cloud/mosquitto.log \
                 "$WORK"/cloud/sub.out "$WORK"/level2/*.out "$WORK"/level2/*.err "$WORK"/level3/probe/*.out "$WORK"/level2/probe/*.out "$WORK"/build.log; do
            print_file "$f"
        done
    fi
    destroy_topology
    if [ "$rc" -eq 0 ] && [ "${LNM_PURDUE_KEEP:-0}" != 1 ]; then
        rm -rf "$WORK"
    fi
    say "teardown done (namespaces ${ALL_NS[*]} removed)"
    exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'say "error at line $LINENO: $BASH_COMMAND"' ERR

# ---------------------------------------------------------------------------------- helpers
start_bg() { # NAME NS LOG CMD...: runs CMD in namespace NS in the background
    local name=$1 ns=$2 log=$3
    shift 3
    ip netns exec "$ns" "$@" >"$log" 2>&1 9>&- &
    PID[$name]=$!
    ORDER+=("$name")
}

# listens NS IP:PORT: a TCP socket in namespace NS listens there. A JVM's IPv4 listener is an
# IPv6 socket and shows as [::ffff:IP]:PORT.
listens() {
    ss -N "$1" -Hltn | awk '{print $4}' | grep -qxF -e "$2" -e "[::ffff:${2%:*}]:${2##*:}"
}

# wait_listen NAME NS IP:PORT SECONDS: until a socket listens there (asked with ss, so no probe
# connection ends up in an audit log); fails early when NAME's process has exited.
wait_listen() {
    local name=$1 ns=$2 addr=$3 secs=$4 t
    t=$(now_ms)
    poll "$secs" listens_or_gone "$ns" "$addr" "${PID[$name]}" || die "$name does not listen on $addr after ${secs}s"
    gone "${PID[$name]}" && die "$name exited before listening on $addr"
    say "$name listens on $addr (waited $(($(now_ms) - t)) ms)"
}
listens_or_gone() { listens "$1" "$2" || gone "$3"; }

pass() { PASSED+=("$1"); say "PASS  $1: $2"; }
fail() { FAILED+=("$1"); say "FAIL  $1: $2"; }

# audit_find FILE SUBSTRING...: the first record of FILE that contains every SUBSTRING.
audit_find() {
    local f=$1 out
    shift
    [ -f "$f" ] || return 1
    out=$(cat "$f")
    for p in "$@"; do
        out=$(grep -F -- "$p" <<<"$out") || return 1
    done
    head -n 1 <<<"$out"
}

# wait_audit FILE SECONDS SUBSTRING...: audit_find, retried (records are written when a
# connection ends, which may be just after the client returned).
wait_audit() {
    local f=$1 secs=$2
    shift 2
    poll "$secs" audit_find "$f" "$@"
}

# has FIELD VALUE-PREFIX LINE: the flat JSON record LINE has "FIELD":"VALUE-PREFIX...
has() { grep -qF "\"$1\":\"$2" <<<"$3"; }

# tls_alert ERRFILE: the TLS alert curl (OpenSSL) reports in ERRFILE, as "NUMBER name", or
# nothing. OpenSSL 3 encodes a received alert as reason 1000 + alert number (SSL_AD_REASON_OFFSET).
tls_alert() {
    local hex code n
    hex=$(grep -oE 'error:0A[0-9A-Fa-f]{6}' "$1" | head -n 1 | cut -d: -f2) || true
    [ -n "$hex" ] || return 0
    code=$((16#$hex & 0x7FFFFF))
    ((code >= 1000 && code < 1256)) || return 0
    n=$((code - 1000))
    case $n in
        0) echo "0 close_notify" ;; 40) echo "40 handshake_failure" ;; 49) echo "49 access_denied" ;;
        80) echo "80 internal_error" ;; 112) echo "112 unrecognized_name" ;; *) echo "$n" ;;
    esac
}

# ------------------------------------------------------------------------------------ lnm
if [ -n "${LNM_CLASSES:-}" ]; then
    LNM=(java -cp "$LNM_CLASSES" lnm.cli.Main)
elif [ -n "${LNM_JAR:-}" ]; then
    LNM=(java -jar "$LNM_JAR")
else
    say "building: mvn -q -B -DskipTests package"
    (cd "$ROOT" && mvn -q -B -DskipTests package) >"$WORK/build.log" 2>&1 || die "build failed"
    LNM=(java -jar "$ROOT/target/lnm.jar")
fi
say "lnm command: ${LNM[*]}"

# ---------------------------------------------------------------------------------- network
say "removing leftovers of earlier runs, if any"
destroy_topology
say "creating namespaces and veth pairs"
create_topology
install_hosts "$NS_L4" "$HERE/conf/level4/hosts"
install_hosts "$NS_L2" "$HERE/conf/level2/hosts" "$HERE/conf/level2/resolv.conf"
mkdir -p "$WORK"/{cloud,level4,level3,level2}

# -------------------------------------------------------------------------------- the cloud
say "making the test CA and server certificates"
make_pki "$WORK/pki" management.azure.com myhub.azure-devices.net telemetry.unlisted.example
CA=$WORK/pki/ca.pem

for f in nginx.conf mosquitto.conf; do
    sed "s#@WORK@#$WORK#g" "$HERE/conf/cloud/$f" >"$WORK/cloud/$f"
done
start_bg nginx "$NS_CLOUD" "$WORK/cloud/nginx.out" \
    nginx -e "$WORK/cloud/nginx-error.log" -p "$WORK/cloud/" -c "$WORK/cloud/nginx.conf"
start_bg mosquitto "$NS_CLOUD" "$WORK/cloud/mosquitto.log" mosquitto -c "$WORK/cloud/mosquitto.conf"
wait_listen nginx "$NS_CLOUD" "$CLOUD_IP:443" 10
wait_listen mosquitto "$NS_CLOUD" "$CLOUD_IP:8883" 10
wait_listen mosquitto "$NS_CLOUD" "127.0.0.1:1883" 10

# The cloud answers, seen from level 4 without lnm: a later failure is then lnm's, not the
# fixture's. (Level 4 has a route to the cloud; level 2 has none.)
if body=$(ip netns exec "$NS_L4" curl -sS --max-time 10 --cacert "$CA" https://management.azure.com/ 2>&1); then
    say "fixture: from level 4 directly, nginx answers: $body"
else
    die "fixture: nginx is not reachable from level 4: $body"
fi
if out=$(timeout -k 2 15 ip netns exec "$NS_L4" mosquitto_pub -h myhub.azure-devices.net -p 8883 \
        --cafile "$CA" -i lnmt-fixture -t fixture/check -m ok -q 1 2>&1); then
    say "fixture: from level 4 directly, mosquitto accepts a TLS publish"
else
    die "fixture: mosquitto TLS publish from level 4 failed: $out"
fi

# ------------------------------------------------------------------------------ lnm boxes
for lvl in level4 level3; do
    cp "$HERE/conf/$lvl/lnm.properties" "$HERE/conf/$lvl/allowlist.properties" "$WORK/$lvl/"
done
fleet_configure
start_bg lnm-level4 "$NS_L4" "$WORK/level4/lnm.log" "${LNM[@]}" run --config "$WORK/level4/lnm.properties"
start_bg lnm-level3 "$NS_L3" "$WORK/level3/lnm.log" "${LNM[@]}" run --config "$WORK/level3/lnm.properties"
wait_listen lnm-level4 "$NS_L4" "$L4_PLANT_IP:443" 30
wait_listen lnm-level4 "$NS_L4" "$L4_PLANT_IP:8883" 10
wait_listen lnm-level3 "$NS_L3" "$L3_PLANT_IP:443" 30
wait_listen lnm-level3 "$NS_L3" "$L3_PLANT_IP:8883" 10
fleet_wait_first
A4=$WORK/level4/audit.jsonl
A3=$WORK/level3/audit.jsonl
L2=$WORK/level2

# ------------------------------------------------------------------------------------ checks
say "checks, all from the level-2 device $L2_IP"

# 1. HTTPS through both boxes, certificate verified against the test CA.
t=$(now_ms)
rc=0
out=$(ip netns exec "$NS_L2" curl -sS --max-time 15 --resolve "management.azure.com:443:$L3_PLANT_IP" \
    --cacert "$CA" -w '\n%{http_code} verify=%{ssl_verify_result}' https://management.azure.com/ \
    2>"$L2/curl-https.err") || rc=$?
ms=$(($(now_ms) - t))
echo "$out" >"$L2/curl-https.out"
if [ "$rc" -eq 0 ] && grep -qx 'hello from the cloud: management.azure.com' <<<"$out" \
        && grep -qx '200 verify=0' <<<"$out"; then
    pass "https via level3+level4" "curl exit 0, HTTP 200, certificate verified, nginx's body, ${ms} ms"
else
    fail "https via level3+level4" "curl exit $rc after ${ms} ms: $(tr '\n' ' ' <<<"$out") $(cat "$L2/curl-https.err")"
fi

# 1b. The same without --resolve: the device's resolver is level 3's built-in DNS.
rc=0
dnsans=$(ip netns exec "$NS_L2" dig +short +time=2 +tries=1 @"$L3_PLANT_IP" management.azure.com A 2>&1) || rc=$?
out=$(ip netns exec "$NS_L2" curl -sS --max-time 15 --cacert "$CA" -w '\n%{http_code}' https://management.azure.com/ \
    2>"$L2/curl-dns.err") || rc=$?
if [ "$rc" -eq 0 ] && [ "$dnsans" = "$L3_PLANT_IP" ] && grep -qx 'hello from the cloud: management.azure.com' <<<"$out"; then
    pass "https via level-3 DNS" "dig answered $dnsans; plain curl https://management.azure.com/ got nginx's body"
else
    fail "https via level-3 DNS" "rc $rc, dig '$dnsans', curl: $(tr '\n' ' ' <<<"$out") $(cat "$L2/curl-dns.err")"
fi

# 2. Audit: level 4 names the device (PROXY v2 from level 3), level 3 went via its parent.
if rec4=$(wait_audit "$A4" 10 '"sni":"management.azure.com"' '"listener":"https"'); then
    if has origin "$L2_IP:" "$rec4" && has client "$L3_UP_IP:" "$rec4" && has decision allow "$rec4" \
            && has via direct "$rec4" && has upstream "$CLOUD_IP:443" "$rec4"; then
        pass "level4 audit origin" "origin=$L2_IP:*, client=$L3_UP_IP:*, via=direct, upstream=$CLOUD_IP:443"
    else
        fail "level4 audit origin" "record: $rec4"
    fi
else
    fail "level4 audit origin" "no level-4 record for management.azure.com in $A4"
fi
if rec3=$(wait_audit "$A3" 10 '"sni":"management.azure.com"' '"listener":"https"'); then
    if has via parent "$rec3" && has decision allow "$rec3" && has client "$L2_IP:" "$rec3" \
            && has upstream "$L4_PLANT_IP:443" "$rec3"; then
        pass "level3 audit via" "via=parent, client=$L2_IP:*, upstream=$L4_PLANT_IP:443"
    else
        fail "level3 audit via" "record: $rec3"
    fi
else
    fail "level3 audit via" "no level-3 record for management.azure.com in $A3"
fi

# 3. MQTT over TLS on 8883: published in level 2, received by a subscriber in the cloud.
start_bg mosquitto_sub "$NS_CLOUD" "$WORK/cloud/sub.out" \
    stdbuf -oL mosquitto_sub -h 127.0.0.1 -p 1883 -i lnmt-cloud-sub -t 'plant/#' -v -d -C 1 -W 30
# Subscribed once the broker says so (its log goes to unbuffered stderr).
subscribed() { grep -qF 'Sending SUBACK to lnmt-cloud-sub' "$WORK/cloud/mosquitto.log" || gone "${PID[mosquitto_sub]}"; }
poll 10 subscribed || true
grep -qF 'Sending SUBACK to lnmt-cloud-sub' "$WORK/cloud/mosquitto.log" || die "the cloud subscriber did not subscribe"
sub_has() { grep -qF -- "$1" "$WORK/cloud/sub.out" 2>/dev/null || gone "${PID[mosquitto_sub]}"; }
msg="line1 temperature 21.5 C ($$-$RANDOM)"
t=$(now_ms)
rc=0
timeout -k 2 20 ip netns exec "$NS_L2" mosquitto_pub -h myhub.azure-devices.net -p 8883 --cafile "$CA" \
    -i lnmt-l2-device -t plant/level2/line1 -m "$msg" -q 1 -d >"$L2/mqtt-pub.out" 2>&1 || rc=$?
ms=$(($(now_ms) - t))
poll 10 sub_has "plant/level2/line1 $msg" || true
if [ "$rc" -eq 0 ] && grep -qxF "plant/level2/line1 $msg" "$WORK/cloud/sub.out"; then
    pass "mqtt over tls via level3+level4" "mosquitto_pub exit 0 in ${ms} ms; the cloud subscriber got '$msg'"
else
    fail "mqtt over tls via level3+level4" "mosquitto_pub exit $rc after ${ms} ms; subscriber output: $(tail -n 3 "$WORK/cloud/sub.out" | tr '\n' ' ')"
fi
if rec4m=$(wait_audit "$A4" 10 '"sni":"myhub.azure-devices.net"' '"listener":"mqtts"'); then
    if has origin "$L2_IP:" "$rec4m" && has upstream "$CLOUD_IP:8883" "$rec4m"; then
        pass "level4 mqtts audit origin" "origin=$L2_IP:*, upstream=$CLOUD_IP:8883"
    else
        fail "level4 mqtts audit origin" "record: $rec4m"
    fi
else
    fail "level4 mqtts audit origin" "no level-4 record for myhub.azure-devices.net in $A4"
fi

# 4. A name that is not allowlisted: a TLS alert at level 3, never reaching level 4.
t=$(now_ms)
rc=0
ip netns exec "$NS_L2" curl -sS --max-time 15 --resolve "evil.example.org:443:$L3_PLANT_IP" \
    --cacert "$CA" https://evil.example.org/ >"$L2/curl-evil.out" 2>"$L2/curl-evil.err" || rc=$?
ms=$(($(now_ms) - t))
alert=$(tls_alert "$L2/curl-evil.err")
if [ "$rc" -eq 35 ] && [ -n "$alert" ]; then
    pass "not allowlisted -> tls alert" "curl exit 35 in ${ms} ms, alert $alert: $(head -n 1 "$L2/curl-evil.err")"
else
    fail "not allowlisted -> tls alert" "curl exit $rc (want 35 with a TLS alert) after ${ms} ms: $(head -n 2 "$L2/curl-evil.err" | tr '\n' ' ')"
fi
if rec3e=$(wait_audit "$A3" 10 '"sni":"evil.example.org"'); then
    if has decision deny "$rec3e" && has reason not_allowlisted "$rec3e"; then
        pass "level3 deny record" "decision=deny reason=not_allowlisted"
    else
        fail "level3 deny record" "record: $rec3e"
    fi
else
    fail "level3 deny record" "no level-3 record for evil.example.org in $A3"
fi
if audit_find "$A4" '"sni":"evil.example.org"' >/dev/null; then
    fail "denied name stays below level 4" "level 4 has a record for evil.example.org"
else
    pass "denied name stays below level 4" "no level-4 record for evil.example.org"
fi

# 5. No way around the boxes: level 2 has no route to the cloud.
route=$(ip -n "$NS_L2" route get "$CLOUD_IP" 2>&1) || true
t=$(now_ms)
rc=0
ip netns exec "$NS_L2" curl -sS --connect-timeout 3 --max-time 5 --cacert "$CA" \
    "https://$CLOUD_IP/" >"$L2/curl-direct.out" 2>"$L2/curl-direct.err" || rc=$?
ms=$(($(now_ms) - t))
# exit 7 (could not connect), not 28 (the 3 s connect timeout): refused at once, no route.
if [ "$rc" -eq 7 ] && grep -qi 'unreachable' <<<"$route"; then
    pass "direct to cloud fails" "curl exit 7 in ${ms} ms ($(head -n 1 "$L2/curl-direct.err")); route get: $route"
else
    fail "direct to cloud fails" "curl exit $rc after ${ms} ms (want 7, and no route): $(head -n 1 "$L2/curl-direct.err"); route get: $route"
fi

# 6. Fleet: level 3's allowlist changed at level 4 only (lib/fleet.sh).
fleet_checks

# 7. Onboarding: report mode from the top, lnm suggest, enforce again, devices and JA4 (lib/onboarding.sh).
onboarding_checks

# 8. lnm probe at level 3 and level 2 (lib/probe.sh).
probe_checks

# 9. SIGTERM: both boxes drain and exit 0.
for name in lnm-level3 lnm-level4; do
    pid=${PID[$name]}
    t=$(now_ms)
    kill -TERM "$pid" 2>/dev/null || true
    poll 10 gone "$pid" || true
    ms=$(($(now_ms) - t))
    if kill -0 "$pid" 2>/dev/null; then
        fail "$name exits on SIGTERM" "still running after ${ms} ms"
        continue
    fi
    rc=0
    wait "$pid" || rc=$?
    if [ "$rc" -eq 0 ]; then
        pass "$name exits on SIGTERM" "exit 0 after ${ms} ms"
    else
        fail "$name exits on SIGTERM" "exit $rc after ${ms} ms"
    fi
done

# --------------------------------------------------------------------------------- summary
echo "----- level-4 audit ($A4)"
cat "$A4" 2>/dev/null || true
echo "----- level-3 audit ($A3)"
cat "$A3" 2>/dev/null || true
say "summary: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
for c in "${FAILED[@]}"; do say "  failed: $c"; done
[ ${#FAILED[@]} -eq 0 ] || exit 1
say "PASS: the Purdue network test passed"
