# shellcheck shell=bash
# Onboarding part of the Purdue test: the plant is switched to report mode from the top (level 4
# locally, level 3 through its fleet folder at level 4), the level-2 device asks for listed names
# and for telemetry.unlisted.example, which no allowlist lists; that one is relayed and audited at
# level 4 as would-deny. `lnm suggest --diff` on level 4's audit gives exactly that name; added
# at both levels and with policy = enforce again, the same clients all succeed and a name still
# unlisted gets a TLS alert. Level 4's /devices shows the device with its JA4 fingerprint, and a
# second TLS client (openssl s_client after curl) on the device counts as a fingerprint change.
# Runs after lib/fleet.sh's checks, so it first undoes what they left: level 4 signs with its
# fleet key again and level 3 is restarted with fleet.source = parent.
# Sourced by run.sh, which defines pass, fail, poll, start_bg, stop_pid, wait_listen,
# wait_audit, has, tls_alert, the addresses and lib/fleet.sh's helpers.

UNLISTED=telemetry.unlisted.example
STILL_UNLISTED=still.unlisted.example

# curl_l2 NAME OUT: curl from level 2 to https://NAME/ through level 3, certificate verified;
# body and status in OUT, curl's errors in OUT.err; curl's exit status.
curl_l2() {
    ip netns exec "$NS_L2" curl -sS --max-time 10 --resolve "$1:443:$L3_PLANT_IP" --cacert "$CA" \
        -w '\n%{http_code}' "https://$1/" >"$2" 2>"$2.err"
}
# reaches NAME: curl from level 2 gets the cloud's answer for NAME.
reaches() {
    curl_l2 "$1" "$L2/onboard-$1.out" && grep -qx "hello from the cloud: $1" "$L2/onboard-$1.out"
}
mqtt_ok() {
    timeout -k 2 15 ip netns exec "$NS_L2" mosquitto_pub -h myhub.azure-devices.net -p 8883 --cafile "$CA" \
        -i lnmt-l2-onboard -t plant/level2/onboard -m "$1" -q 1 >"$L2/onboard-mqtt.out" 2>&1
}

# l3_newest: the newest generation level 4 signed for level 3 (0 when /fleet does not say).
l3_newest() {
    local g
    g=$(fleet_l3 | grep -oE '"newestGeneration":[0-9]+' | head -n 1 | cut -d: -f2) || true
    echo "${g:-0}"
}
# l3_runs_above GEN: level 4 signed a generation above GEN for level 3 and level 3 applied it.
l3_runs_above() {
    local n
    n=$(l3_newest)
    [ "$n" -gt "$1" ] && grep -qF "bundle generation $n applied" "$WORK/level3/lnm-onboard.log"
}
# l3_fleet_set POLICY: level 3's fleet folder at level 4 gets policy = POLICY (file replaced whole).
l3_fleet_set() {
    local dir=$WORK/level4/fleet/l3
    printf '# set from the top for the whole plant\npolicy = %s\n' "$1" >"$dir/lnm.properties.new"
    mv "$dir/lnm.properties.new" "$dir/lnm.properties"
}
# wait_l3_above GEN WHAT: bounded wait for level 3 to run a generation above GEN; dies otherwise.
wait_l3_above() {
    local t
    t=$(now_ms)
    poll 20 l3_runs_above "$1" || die "onboarding: level 3 does not run a bundle above generation $1 ($2): $(fleet_l3 | head -c 300)"
    say "onboarding: level 3 runs generation $(l3_newest) ($2; waited $(($(now_ms) - t)) ms)"
}

# device_json: level 4's /devices entry of the level-2 device, up to its fingerprints array.
device_json() {
    ip netns exec "$NS_L4" curl -sS --max-time 5 "http://$FLEET_ADMIN/devices" 2>/dev/null \
        | grep -oE "\"device\":\"$L2_IP\",[^[]*" | head -n 1
}
device_changes() { device_json | grep -oE '"fingerprintChanges":[0-9]+' | cut -d: -f2; }
device_ja4() { device_json | grep -oE '"ja4":"[^"]*"' | cut -d'"' -f4; }
# changes_above N: the device's fingerprint change count went above N.
changes_above() { local c; c=$(device_changes); [ -n "$c" ] && [ "$c" -gt "$1" ]; }
# ja4_is FP: the device's last fingerprint is FP.
ja4_is() { [ "$(device_ja4)" = "$1" ]; }

onboarding_checks() {
    local before rec sug lines out rc alert n ja4_curl c0 ja4_ossl
    local list4=$WORK/level4/allowlist.properties list3=$WORK/level4/fleet/l3/allowlist.properties

    # Undo lib/fleet.sh's last steps: level 4 signs with the key level 3 trusts, level 3's
    # folder has its original names, level 3 pulls from its parent again.
    before=$(l3_newest)
    cp "$HERE/conf/level3/allowlist.properties" "$list3.new" && mv "$list3.new" "$list3"
    l3_fleet_set report
    sed -i 's|^fleet.key = other.key$|fleet.key = fleet.key|' "$WORK/level4/lnm.properties"
    echo 'policy = report' >>"$WORK/level4/lnm.properties"
    kill -HUP "${PID[lnm-level4]}"
    stop_pid "${PID[lnm-level3]}"
    sed -i "s|^fleet.source = .*$|fleet.source = parent|" "$WORK/level3/lnm.properties"
    start_bg lnm-level3 "$NS_L3" "$WORK/level3/lnm-onboard.log" "${LNM[@]}" run --config "$WORK/level3/lnm.properties"
    wait_listen lnm-level3 "$NS_L3" "$L3_PLANT_IP:443" 30
    wait_l3_above "$before" "policy = report from the top"

    # 1. Report mode: listed names as before, the unlisted one relayed, audited as would-deny.
    if poll 15 reaches "$UNLISTED"; then
        pass "onboarding: report mode relays an unlisted name" "curl from level 2 got nginx's body for $UNLISTED, certificate verified"
    else
        fail "onboarding: report mode relays an unlisted name" "$(tr '\n' ' ' <"$L2/onboard-$UNLISTED.out") $(head -n 2 "$L2/onboard-$UNLISTED.out.err" | tr '\n' ' ')"
    fi
    if reaches management.azure.com && mqtt_ok "report $$"; then
        pass "onboarding: listed names in report mode" "https management.azure.com and an MQTT publish to myhub.azure-devices.net succeed"
    else
        fail "onboarding: listed names in report mode" "$(head -n 2 "$L2/onboard-management.azure.com.out.err") $(tail -n 2 "$L2/onboard-mqtt.out")"
    fi
    if rec=$(wait_audit "$A4" 10 "\"sni\":\"$UNLISTED\""); then
        if has decision allow "$rec" && has reason report "$rec" && has wouldDeny not_allowlisted "$rec" \
                && has origin "$L2_IP:" "$rec" && has via direct "$rec"; then
            pass "onboarding: level 4 audits the would-deny" "decision=allow reason=report wouldDeny=not_allowlisted origin=$L2_IP:* via=direct"
        else
            fail "onboarding: level 4 audits the would-deny" "record: $rec"
        fi
    else
        fail "onboarding: level 4 audits the would-deny" "no level-4 record for $UNLISTED in $A4"
    fi

    # 2. lnm suggest --diff: exactly the missing name.
    rc=0
    sug=$("${LNM[@]}" suggest --diff "$list4" "$A4"* 2>"$WORK/level4/suggest.err") || rc=$?
    echo "$sug" >"$WORK/level4/suggest.out"
    lines=$(grep -vE '^[[:space:]]*(#|$)' <<<"$sug") || true
    if [ "$rc" -eq 0 ] && [ "$lines" = "$UNLISTED =" ]; then
        pass "onboarding: lnm suggest --diff" "exactly '$lines' ($(grep -c '' <<<"$sug") lines with comments)"
    else
        fail "onboarding: lnm suggest --diff" "exit $rc, allowlist lines: $(tr '\n' '|' <<<"$lines") $(head -c 300 "$WORK/level4/suggest.err")"
    fi

    # 3. The suggestion added at both levels, enforce again: every client succeeds, a name still
    # unlisted is refused at level 3.
    before=$(l3_newest)
    printf '%s\n' "$sug" >>"$list4"
    { cat "$list3"; printf '%s\n' "$sug"; } >"$list3.new" && mv "$list3.new" "$list3"
    l3_fleet_set enforce
    sed -i 's|^policy = report$|policy = enforce|' "$WORK/level4/lnm.properties"
    if "${LNM[@]}" check --config "$WORK/level4/lnm.properties" >"$WORK/level4/check-enforce.out" 2>&1; then
        pass "onboarding: lnm check accepts the suggestion" "level 4's config with the suggestion added and policy = enforce"
    else
        fail "onboarding: lnm check accepts the suggestion" "$(head -c 400 "$WORK/level4/check-enforce.out")"
    fi
    kill -HUP "${PID[lnm-level4]}"
    wait_l3_above "$before" "the suggestion and policy = enforce from the top"
    rc=0
    curl_l2 "$STILL_UNLISTED" "$L2/onboard-still.out" || rc=$?
    alert=$(tls_alert "$L2/onboard-still.out.err")
    if poll 15 reaches "$UNLISTED" && reaches management.azure.com && mqtt_ok "enforce $$"; then
        pass "onboarding: enforce with the suggestion" "$UNLISTED, management.azure.com and MQTT to myhub.azure-devices.net all succeed from level 2"
    else
        fail "onboarding: enforce with the suggestion" "$(head -n 2 "$L2/onboard-$UNLISTED.out.err") $(head -n 2 "$L2/onboard-management.azure.com.out.err") $(tail -n 2 "$L2/onboard-mqtt.out")"
    fi
    if [ "$rc" -eq 35 ] && [ -n "$alert" ]; then
        pass "onboarding: enforce refuses a name still unlisted" "$STILL_UNLISTED: curl exit 35, alert $alert"
    else
        fail "onboarding: enforce refuses a name still unlisted" "curl exit $rc (want 35 with a TLS alert): $(head -n 2 "$L2/onboard-still.out.err" | tr '\n' ' ')"
    fi
    rec=$(grep -F "\"sni\":\"$UNLISTED\"" "$A4" | tail -n 1) || true
    if has decision allow "$rec" && ! grep -qF '"wouldDeny"' <<<"$rec"; then
        pass "onboarding: level 4 enforces and allows the name" "last record for $UNLISTED: decision=allow, no wouldDeny"
    else
        fail "onboarding: level 4 enforces and allows the name" "last record for $UNLISTED: $rec"
    fi

    # 4. Devices: level 4 knows the device by its origin and its JA4; after curl, openssl s_client
    # from the same device is a fingerprint change.
    n=$(grep -c '"sni":"management.azure.com"' "$A4") || true
    reaches management.azure.com || true
    poll 10 eval '[ "$(grep -c "\"sni\":\"management.azure.com\"" "$A4")" -gt "$n" ]' || true
    ja4_curl=$(grep -F '"sni":"management.azure.com"' "$A4" | tail -n 1 | grep -oE '"ja4":"[^"]*"' | cut -d'"' -f4) || true
    poll 10 ja4_is "$ja4_curl" || true
    c0=$(device_changes)
    if [[ "$ja4_curl" =~ ^t1[0-3]d[0-9]{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}$ ]] && ja4_is "$ja4_curl" && [ -n "$c0" ]; then
        pass "onboarding: /devices lists the device" "$L2_IP: ja4=$ja4_curl (curl's, as in its audit record), fingerprintChanges=$c0"
    else
        fail "onboarding: /devices lists the device" "curl's audit ja4 '$ja4_curl'; entry: $(device_json | head -c 400)"
    fi
    rc=0
    out=$(timeout -k 2 15 ip netns exec "$NS_L2" openssl s_client -connect "$L3_PLANT_IP:443" \
        -servername management.azure.com -CAfile "$CA" -verify_return_error </dev/null 2>&1) || rc=$?
    echo "$out" >"$L2/onboard-s_client.out"
    if [ "$rc" -eq 0 ] && poll 10 changes_above "${c0:-0}"; then
        ja4_ossl=$(device_ja4)
        if [ -n "$ja4_ossl" ] && [ "$ja4_ossl" != "$ja4_curl" ]; then
            pass "onboarding: another TLS client is a fingerprint change" \
                "openssl s_client ja4=$ja4_ossl after curl ja4=$ja4_curl; fingerprintChanges $c0 -> $(device_changes)"
        else
            fail "onboarding: another TLS client is a fingerprint change" "ja4 '$ja4_ossl' (curl's was '$ja4_curl')"
        fi
    else
        fail "onboarding: another TLS client is a fingerprint change" "s_client exit $rc, fingerprintChanges still $(device_changes) (was $c0): $(tail -n 3 <<<"$out" | tr '\n' ' ')"
    fi
}
