# shellcheck shell=bash
# `lnm probe` part of the Purdue test, from the two lower boxes, each with a probe config of its
# own (written here; the running boxes' configs are left alone):
#   level 3 (parent = level 4, PROXY v2 towards it, the test CA as --truststore): an allowlist
#     of only names level 4 allows gives exit 0 and an ok line with the test CA as issuer; a name
#     level 3 allows but level 4 does not fails at step LEVEL, naming level 4, exit 1, and level
#     4's audit shows that refusal with level 3 as the origin (the probe sent the PROXY header);
#   level 2 (parent = level 3, no PROXY header: level 3 trusts none from below): the allowed
#     name answers through both boxes; a name level 3 refuses fails at step LEVEL naming level 3.
# Runs after the onboarding checks, so the boxes are back in enforce mode.
# Sourced by run.sh, which defines pass, fail, has, audit_find, wait_audit, the addresses, $LNM and $CA.

PROBE_OK_NAME=management.azure.com
PROBE_ABOVE_NAME=not-at-level4.example   # allowed by level 3's probe config, not by level 4
PROBE_L3_NAME=evil.example.org           # refused by level 3 itself

# probe_config DIR LEVEL PARENT PROXYPROTOCOL: DIR/probe.properties for `lnm probe`; the
# allowlist (DIR/probe-allowlist.properties) is written by the caller.
probe_config() {
    cat >"$1/probe.properties" <<CONF
# lnm probe's view of this box: its level and parent; the listener is not opened by the probe
level = $2
listen.https = 127.0.0.1:443
parent = $3
parent.proxyProtocol = $4
allowlist = probe-allowlist.properties
admin.listen = off
CONF
}

# probe_run NS DIR OUT [NAME...]: lnm probe in namespace NS with DIR/probe.properties, output in
# OUT; prints the exit status (bounded: 3 steps of 5 s per name at most, and `timeout` over it).
probe_run() {
    local ns=$1 dir=$2 out=$3 rc=0
    shift 3
    timeout -k 2 60 ip netns exec "$ns" "${LNM[@]}" probe --config "$dir/probe.properties" --truststore "$CA" \
        --timeout 5 --parallel 4 "$@" >"$out" 2>&1 || rc=$?
    echo "$rc"
}

# probe_line OUT NAME: the line of NAME in OUT (fields apart by two spaces or more).
probe_line() { grep -E "^$(sed 's/\./\\./g' <<<"$2")  " "$1" | head -n 1; }

probe_checks() {
    local d3=$WORK/level3/probe d2=$WORK/level2/probe rc line issuer rec
    mkdir -p "$d3" "$d2"
    issuer="issuer=$(openssl x509 -in "$CA" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')"

    # 1. Level 3, only names level 4 allows: exit 0, ok through the parent, the test CA as issuer.
    probe_config "$d3" 3 "$L4_PLANT_IP" v2
    printf '%s =\n*.azure-devices.net =\n' "$PROBE_OK_NAME" >"$d3/probe-allowlist.properties"
    rc=$(probe_run "$NS_L3" "$d3" "$d3/ok.out")
    line=$(probe_line "$d3/ok.out" "$PROBE_OK_NAME")
    if [ "$rc" -eq 0 ] && grep -qE "^$PROBE_OK_NAME +parent $L4_PLANT_IP:443 +ok +TLS +[0-9]+ms +" <<<"$line" \
            && [ "${line##*  }" = "$issuer" ] && grep -qE '^\*\.azure-devices\.net +- +skipped +POLICY ' "$d3/ok.out"; then
        pass "probe at level 3: all answer" "exit 0; $line"
    else
        fail "probe at level 3: all answer" "exit $rc (want 0, and an ok line with $issuer): $(tr '\n' '|' <"$d3/ok.out")"
    fi

    # 2. Level 3, a name level 4 refuses: step LEVEL naming level 4, exit 1.
    printf '%s =\n%s =\n' "$PROBE_OK_NAME" "$PROBE_ABOVE_NAME" >"$d3/probe-allowlist.properties"
    rc=$(probe_run "$NS_L3" "$d3" "$d3/refused.out")
    line=$(probe_line "$d3/refused.out" "$PROBE_ABOVE_NAME")
    if [ "$rc" -eq 1 ] && grep -qE "^$PROBE_OK_NAME +parent $L4_PLANT_IP:443 +ok +TLS " "$d3/refused.out" \
            && grep -qE " +parent $L4_PLANT_IP:443 +failed +LEVEL +[0-9]+ms +refused by level 4 \(the parent\) or a level above it: TLS alert access_denied$" <<<"$line"; then
        pass "probe at level 3: level 4 refuses" "exit 1; $line"
    else
        fail "probe at level 3: level 4 refuses" "exit $rc (want 1, and a LEVEL line naming level 4): $(tr '\n' '|' <"$d3/refused.out")"
    fi
    if rec=$(wait_audit "$A4" 10 "\"sni\":\"$PROBE_ABOVE_NAME\""); then
        if has decision deny "$rec" && has reason not_allowlisted "$rec" && has origin "$L3_UP_IP:" "$rec" \
                && has client "$L3_UP_IP:" "$rec"; then
            pass "probe at level 3: PROXY v2 header" "level 4 refused $PROBE_ABOVE_NAME as not_allowlisted, origin=$L3_UP_IP:* from the probe's header"
        else
            fail "probe at level 3: PROXY v2 header" "record: $rec"
        fi
    else
        fail "probe at level 3: PROXY v2 header" "no level-4 record for $PROBE_ABOVE_NAME in $A4"
    fi

    # 3. Level 2 (a box below level 3): ok through both boxes; level 3's refusal names level 3.
    probe_config "$d2" 2 "$L3_PLANT_IP" none
    printf '%s =\n%s =\n' "$PROBE_OK_NAME" "$PROBE_L3_NAME" >"$d2/probe-allowlist.properties"
    rc=$(probe_run "$NS_L2" "$d2" "$d2/probe.out")
    line=$(probe_line "$d2/probe.out" "$PROBE_L3_NAME")
    if [ "$rc" -eq 1 ] && grep -qE "^$PROBE_OK_NAME +parent $L3_PLANT_IP:443 +ok +TLS +[0-9]+ms +issuer=" "$d2/probe.out" \
            && grep -qE " +parent $L3_PLANT_IP:443 +failed +LEVEL +[0-9]+ms +refused by level 3 \(the parent\) or a level above it: TLS alert access_denied$" <<<"$line"; then
        pass "probe at level 2: level 3 refuses" "exit 1; $line"
    else
        fail "probe at level 2: level 3 refuses" "exit $rc (want 1, ok for $PROBE_OK_NAME and a LEVEL line naming level 3): $(tr '\n' '|' <"$d2/probe.out")"
    fi
    if audit_find "$A4" "\"sni\":\"$PROBE_L3_NAME\"" >/dev/null; then
        fail "probe at level 2: refused at level 3" "level 4 has a record for $PROBE_L3_NAME"
    else
        pass "probe at level 2: refused at level 3" "no level-4 record for $PROBE_L3_NAME: level 3 refused it"
    fi
}
