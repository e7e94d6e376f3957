# shellcheck shell=bash
# Fleet part of the Purdue test: level 4 is the top box (signs bundles from its fleet folder,
# serves them on its plant side at port 8477), level 3 pulls with fleet.source = parent and
# fleet.trust = level 4's key, signing its pulls with its own key (enrolled in fleet/l3/box.pub). Everything is changed at level 4 only; checks run from level 2.
# Sourced by run.sh, which defines pass, fail, poll, start_bg, stop_pid and the addresses.

FLEET_PORT=8477
FLEET_ADMIN=127.0.0.1:9090

# fleet_configure: keys, level 3's folder (and enrolment) at level 4, the fleet keys in both configs (before start).
fleet_configure() {
    local pub
    pub=$("${LNM[@]}" fleet keygen "$WORK/level4/fleet.key") || die "lnm fleet keygen failed"
    "${LNM[@]}" fleet keygen "$WORK/level4/other.key" >/dev/null || die "lnm fleet keygen failed"
    mkdir -p "$WORK/level4/fleet/l3"
    cp "$HERE/conf/level3/allowlist.properties" "$WORK/level4/fleet/l3/allowlist.properties"
    "${LNM[@]}" fleet keygen "$WORK/level3/box.key" >/dev/null || die "lnm fleet keygen (level 3's box key) failed"
    cp "$WORK/level3/box.key.pub" "$WORK/level4/fleet/l3/box.pub"
    sed -i "s|^admin.listen = off$|admin.listen = $FLEET_ADMIN|" "$WORK/level4/lnm.properties"
    cat >>"$WORK/level4/lnm.properties" <<CONF
name = l4
fleet.listen = $L4_PLANT_IP:$FLEET_PORT
fleet.dir = fleet
fleet.key = fleet.key
fleet.state = fleet-state
CONF
    cat >>"$WORK/level3/lnm.properties" <<CONF
name = l3
fleet.source = parent
fleet.trust = $pub
fleet.boxKey = box.key
fleet.interval = 1
fleet.state = fleet-state
CONF
    "${LNM[@]}" check --config "$WORK/level4/lnm.properties" >"$WORK/level4/check.out" 2>&1 \
        || die "lnm check on level 4 (with its fleet folder) failed: $(cat "$WORK/level4/check.out")"
}

# fleet_wait_first: level 3 runs its first bundle before the traffic checks start.
fleet_wait_first() {
    applied() { grep -qF 'bundle generation 1 applied' "$WORK/level3/lnm.log"; }
    poll 30 applied || die "level 3 did not apply its first fleet bundle: $(grep -i fleet "$WORK/level3/lnm.log" | tail -n 3)"
}

fleet_json() { ip netns exec "$NS_L4" curl -sS --max-time 5 "http://$FLEET_ADMIN/fleet" 2>&1; }
# the /fleet object of box l3 (its fields come in a fixed order, its arrays hold no braces before 'refusal')
fleet_l3() { fleet_json | grep -o '{"name":"l3".*' ; }
azure_ok() {
    ip netns exec "$NS_L2" curl -sS --max-time 10 --resolve "management.azure.com:443:$L3_PLANT_IP" \
        --cacert "$CA" https://management.azure.com/ 2>/dev/null | grep -qx 'hello from the cloud: management.azure.com'
}
azure_denied() {
    local rc=0
    ip netns exec "$NS_L2" curl -sS --max-time 10 --resolve "management.azure.com:443:$L3_PLANT_IP" \
        --cacert "$CA" https://management.azure.com/ >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 35 ]
}

# fleet_page: level 4's status page, in headless Chromium when installed (the picture is kept as
# target/fleet-plant.png), else fetched with curl; either way it must draw level 3 in the plant.
fleet_page() {
    local dom=$WORK/level4/status-page.html png=$ROOT/target/fleet-plant.png
    if command -v chromium >/dev/null 2>&1; then
        mkdir -p "$ROOT/target"
        rm -f "$png"
        timeout -k 5 60 ip netns exec "$NS_L4" chromium --headless --no-sandbox --disable-gpu --no-first-run \
            --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars \
            --user-data-dir="$WORK/level4/chromium" --window-size=1280,1400 --dump-dom --screenshot="$png" \
            "http://$FLEET_ADMIN/" >"$dom" 2>"$WORK/level4/chromium.err" || true
    else
        ip netns exec "$NS_L4" curl -sS --max-time 5 "http://$FLEET_ADMIN/" >"$dom" 2>&1 || true
    fi
    if grep -qF 'data-box="l3"' "$dom" && grep -qF 'data-box="l4"' "$dom"; then
        pass "fleet: level 4 status page draws the plant" "rows for l4 and l3$([ -s "$png" ] && echo "; picture: $png")"
    else
        fail "fleet: level 4 status page draws the plant" "no rows for l4 and l3 in $dom"
    fi
}

fleet_checks() {
    local list=$WORK/level4/fleet/l3/allowlist.properties
    if poll 15 eval 'fleet_l3 | grep -qF "\"level\":3,\"parent\":\"l4\""'; then
        pass "fleet: /fleet at level 4 lists level 3" "$(fleet_l3 | cut -c1-160)"
    else
        fail "fleet: /fleet at level 4 lists level 3" "$(fleet_json | head -c 400)"
    fi
    fleet_page

    # A name removed at level 4 only is denied at level 3, then allowed again when re-added.
    grep -v '^management.azure.com' "$list" >"$list.new" && mv "$list.new" "$list"
    if poll 20 azure_denied; then
        pass "fleet: removed at the top -> denied below" "management.azure.com gets a TLS alert from level 3"
    else
        fail "fleet: removed at the top -> denied below" "still allowed after 20 s"
    fi
    echo 'management.azure.com =' >>"$list"
    if poll 20 azure_ok; then
        pass "fleet: added at the top -> allowed below" "curl from level 2 reaches nginx through level 3 and level 4"
    else
        fail "fleet: added at the top -> allowed below" "still denied after 20 s"
    fi
    # A bundle signed with another key: level 3 refuses it, keeps its config, the top shows why.
    sed -i 's|^fleet.key = fleet.key$|fleet.key = other.key|' "$WORK/level4/lnm.properties"
    kill -HUP "${PID[lnm-level4]}"
    echo 'evil.example.org =' >>"$list"
    if poll 20 eval 'fleet_l3 | grep -qF "signature does not verify"' && azure_ok; then
        pass "fleet: bundle signed by another key refused" "level 3 still allows the last good names; /fleet shows the refusal"
    else
        fail "fleet: bundle signed by another key refused" "$(fleet_l3 | head -c 400)"
    fi
    # Level 3 restarted with its source unreachable and an empty local allowlist: its last good bundle.
    stop_pid "${PID[lnm-level3]}"
    : >"$WORK/level3/allowlist.properties"
    sed -i "s|^fleet.source = parent$|fleet.source = $L4_PLANT_IP:9|" "$WORK/level3/lnm.properties"
    start_bg lnm-level3 "$NS_L3" "$WORK/level3/lnm-restart.log" "${LNM[@]}" run --config "$WORK/level3/lnm.properties"
    wait_listen lnm-level3 "$NS_L3" "$L3_PLANT_IP:443" 30
    if azure_ok && poll 10 grep -qF 'unreachable' "$WORK/level3/lnm-restart.log"; then
        pass "fleet: level 3 boots from its last good bundle" "source unreachable, local allowlist empty, name still allowed"
    else
        fail "fleet: level 3 boots from its last good bundle" "$(tail -n 3 "$WORK/level3/lnm-restart.log")"
    fi
}
