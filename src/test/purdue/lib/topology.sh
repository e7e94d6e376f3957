# shellcheck shell=bash
# The test network: four namespaces joined by three veth pairs. Nothing is bridged and nothing
# routes: each namespace only has the connected /24s of its own links, IPv4 forwarding is off,
# so the only way from level 2 to the cloud is through the two lnm boxes.
#
#   lnmt-cloud            lnmt-l4 (lnm, level 4)            lnmt-l3 (lnm, level 3)     lnmt-l2
#   cloud0 10.250.1.1 --- l4-cloud 10.250.1.2
#                         l4-plant 10.250.2.1 ----------- l3-up    10.250.2.2
#                                                         l3-plant 10.250.3.1 ------ eth0 10.250.3.2
#
# The addresses are also written literally in conf/ (lnm.properties, hosts files); change both.
# Names are fixed (prefix lnmt-) so that a run can find and remove what an aborted run left.

NS_CLOUD=lnmt-cloud
NS_L4=lnmt-l4
NS_L3=lnmt-l3
NS_L2=lnmt-l2
ALL_NS=("$NS_CLOUD" "$NS_L4" "$NS_L3" "$NS_L2")

CLOUD_IP=10.250.1.1
L4_CLOUD_IP=10.250.1.2
L4_PLANT_IP=10.250.2.1
L3_UP_IP=10.250.2.2
L3_PLANT_IP=10.250.3.1
L2_IP=10.250.3.2

ns_exists() { [ -e "/run/netns/$1" ]; }
ns_empty() { [ -z "$(ip netns pids "$1" 2>/dev/null)" ]; }

# veth NS_A IF_A IP_A NS_B IF_B IP_B: one cable between two namespaces, both ends up, /24 each.
veth() {
    ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$4" addr add "$6/24" dev "$5"
    ip -n "$1" link set "$2" up
    ip -n "$4" link set "$5" up
}

create_topology() {
    local ns
    for ns in "${ALL_NS[@]}"; do
        ip netns add "$ns"
        ip -n "$ns" link set lo up
        # New namespaces start with forwarding off on current kernels; say so explicitly: the
        # boxes are proxies, not routers.
        ip netns exec "$ns" sh -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'
    done
    veth "$NS_CLOUD" cloud0 "$CLOUD_IP" "$NS_L4" l4-cloud "$L4_CLOUD_IP"
    veth "$NS_L4" l4-plant "$L4_PLANT_IP" "$NS_L3" l3-up "$L3_UP_IP"
    veth "$NS_L3" l3-plant "$L3_PLANT_IP" "$NS_L2" eth0 "$L2_IP"
}

# Name resolution inside a namespace: `ip netns exec NS` bind-mounts every file of
# /etc/netns/NS/ over the same name in /etc, so a hosts file there is that namespace's DNS.
install_hosts() { # NS FILE [RESOLV_CONF]
    mkdir -p "/etc/netns/$1"
    cp "$2" "/etc/netns/$1/hosts"
    if [ -n "${3:-}" ]; then
        cp "$3" "/etc/netns/$1/resolv.conf" # ip netns exec bind-mounts it over /etc/resolv.conf
    fi
}

# Removes every lnmt- namespace of ours (this run's or an aborted one's): first the processes
# still inside it (found by namespace, ended by pid), then the namespace, which takes its veth
# ends along; then the /etc/netns overlays.
destroy_topology() {
    local ns pids
    for ns in "${ALL_NS[@]}"; do
        if ns_exists "$ns"; then
            pids=$(ip netns pids "$ns" 2>/dev/null || true)
            if [ -n "$pids" ]; then
                # shellcheck disable=SC2086
                kill -TERM $pids 2>/dev/null || true
                poll 3 ns_empty "$ns" || true
                pids=$(ip netns pids "$ns" 2>/dev/null || true)
                # shellcheck disable=SC2086
                [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
            fi
            ip netns del "$ns" 2>/dev/null || true
        fi
        rm -rf "/etc/netns/$ns"
    done
}
