#!/usr/bin/env bash
# Boots the lnm disk image under qemu and checks the appliance end to end:
#
#   image/vm-test.sh VM_DIR
#
#  - the image boots (software emulation when there is no /dev/kvm: slow, minutes);
#  - cloud-init takes user-data made by make-custom-data.sh from a NoCloud (CIDATA) volume,
#    as Azure's custom data would be taken: it writes /etc/lnm, installs the appliance from
#    the tarball in the image, loads the nftables ruleset and starts lnm;
#  - `systemctl is-active lnm` says active (over SSH, through a forwarded port);
#  - lnm answers a ClientHello sent from the host through a forwarded port to its privileged
#    port 443 (so CAP_NET_BIND_SERVICE works): an allowlisted name whose fixed target is the
#    VM's sshd comes back with sshd's banner, relayed by lnm; a name not on the allowlist gets
#    a TLS access_denied alert; both leave a record in the audit log.
#  - two NICs as on Azure: eth0 outside (DHCP, SSH), eth1 plant side (static address, lnm's
#    ports); only eth0 runs DHCP although qemu offers DHCP on both, and nftables accepts DHCP
#    replies on eth0 only.
# Network traffic: qemu's user-mode networks, forwarded to 127.0.0.1 only.
# VM_TIMEOUT (seconds, default 1200) bounds the wait for the VM (each boot: a TCG restart gets
# its own).
# VM_ACCEL=kvm|tcg chooses qemu's accelerator. Unset: KVM when /dev/kvm is writable, and a
# guest whose serial console stops moving before systemd starts (VM_STALL seconds, default
# 90: a nested /dev/kvm can hang the guest kernel) is restarted once with TCG (software
# emulation: slower, but it boots). VM_ACCEL=kvm fails at such a stall instead.
set -euo pipefail
vm_dir=${1:?usage: vm-test.sh VM_DIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
VM_TIMEOUT=${VM_TIMEOUT:-1200}
say() { echo "vm-test: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v qemu-img >/dev/null || need+=(qemu-utils)
command -v mkfs.vfat >/dev/null || need+=(dosfstools)
command -v mcopy >/dev/null || need+=(mtools)
command -v ssh >/dev/null || need+=(openssh-client)
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || die "missing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

disk=$(ls -1 "$vm_dir"/lnm-*.qcow2 2>/dev/null | tail -1)
[ -n "$disk" ] || die "no $vm_dir/lnm-*.qcow2 (make vm-image)"
disk=$(cd "$(dirname "$disk")" && pwd)/$(basename "$disk")
run=$vm_dir/test
rm -rf "$run"
mkdir -p "$run/conf"
run=$(cd "$run" && pwd)

# --- the VM's configuration: lnm on 443, one name relayed to the VM's own sshd ---------------
cat >"$run/conf/lnm.properties" <<'EOF'
level = 4
listen.https = 0.0.0.0:443
listen.https.mode = tls
allowlist = allowlist.properties
audit.file = /var/log/lnm/audit.jsonl
admin.listen = 127.0.0.1:9090
EOF
cat >"$run/conf/allowlist.properties" <<'EOF'
ssh.vm-test.invalid = 127.0.0.1:22
EOF
ssh-keygen -q -t ed25519 -N '' -C lnm-vm-test -f "$run/key"
plant_addr=10.0.3.20 # qemu's user network on the plant NIC is 10.0.3.0/24 (its DHCP offers .15)
bash "$here/make-custom-data.sh" --config-dir "$run/conf" --plant-if eth1 --outside-if eth0 \
  --plant-address "$plant_addr/24" --admin lnmtest --ssh-key "$run/key.pub" >"$run/user-data"
printf 'instance-id: lnm-vm-test-%s\nlocal-hostname: lnm-vm-test\n' "$(date +%s)" >"$run/meta-data"
mkfs.vfat -n CIDATA -C "$run/seed.img" 2048 >/dev/null
mcopy -i "$run/seed.img" "$run/user-data" "$run/meta-data" ::

# --- boot -----------------------------------------------------------------------------------
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % ($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 10000))) # below the ephemeral range: a connect() there cannot self-connect
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
ssh_port=$(free_port); tls_port=$(free_port)
VM_STALL=${VM_STALL:-90}
case ${VM_ACCEL:-} in
  kvm | tcg) accel=$VM_ACCEL fallback=0 ;;
  '') accel=tcg fallback=0; [ -w /dev/kvm ] && accel=kvm fallback=1 ;;
  *) die "VM_ACCEL=$VM_ACCEL: kvm or tcg" ;;
esac
qemu_pid=
cleanup() { [ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true; }
trap cleanup EXIT
boot() { # boot ACCEL: a fresh overlay on the image, eth0 outside (SSH), eth1 plant side (:443)
  cleanup
  for _ in $(seq 20); do [ -n "$qemu_pid" ] && kill -0 "$qemu_pid" 2>/dev/null && sleep 0.5 || break; done
  rm -f "$run/disk.qcow2" "$run/console.log" "$run/qemu.pid"
  qemu-img create -q -f qcow2 -F qcow2 -b "$disk" "$run/disk.qcow2"
  say "booting $(basename "$disk") (accel=$1; ssh on 127.0.0.1:$ssh_port, lnm :443 on 127.0.0.1:$tls_port)"
  qemu-system-x86_64 -machine "pc,accel=$1" -smp 2 -m 1536 \
    -drive "file=$run/disk.qcow2,if=virtio,format=qcow2" \
    -drive "file=$run/seed.img,if=virtio,format=raw" \
    -nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$ssh_port-:22" \
    -nic "user,model=virtio-net-pci,net=10.0.3.0/24,hostfwd=tcp:127.0.0.1:$tls_port-$plant_addr:443" \
    -display none -serial "file:$run/console.log" -monitor none \
    -pidfile "$run/qemu.pid" -daemonize
  qemu_pid=$(cat "$run/qemu.pid")
  booted=$SECONDS console_size=0 console_moved=$SECONDS
}

vm() {
  ssh -q -i "$run/key" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes lnmtest@127.0.0.1 "$@"
}
# stalled: the console has not grown for VM_STALL seconds and shows no sign of systemd yet
stalled() {
  local n
  n=$(stat -c %s "$run/console.log" 2>/dev/null || echo 0)
  if [ "$n" != "$console_size" ]; then console_size=$n console_moved=$SECONDS; return 1; fi
  grep -aqE 'Welcome to|systemd\[1\]|\[  OK  \]' "$run/console.log" 2>/dev/null && return 1
  [ $((SECONDS - console_moved)) -ge "$VM_STALL" ]
}
start=$SECONDS began=$SECONDS
boot "$accel"
state=
while [ $((SECONDS - start)) -lt "$VM_TIMEOUT" ]; do
  kill -0 "$qemu_pid" 2>/dev/null || { tail -40 "$run/console.log" >&2; die "qemu exited"; }
  if state=$(vm 'cloud-init status --wait >/dev/null 2>&1; systemctl is-active lnm.service' 2>/dev/null); then
    break
  fi
  if [ "$accel" = kvm ] && stalled; then
    say "the guest's console stopped moving $((SECONDS - console_moved))s ago, $((SECONDS - booted))s after boot under $accel, before systemd started; last lines:"
    { tail -3 "$run/console.log" | tr -d '\r' | grep -a '[^[:space:]]' || echo "(nothing on the console)"; } | sed 's/^/  | /' >&2
    if [ "$fallback" -eq 1 ]; then
      say "restarting the guest once with software emulation (accel=tcg); VM_ACCEL=kvm|tcg chooses"
      accel=tcg fallback=0
      boot tcg
      start=$SECONDS
      continue
    fi
    die "guest hung under kvm (VM_ACCEL=tcg uses software emulation)"
  fi
  sleep 10
done
[ -n "$state" ] || { tail -60 "$run/console.log" >&2; die "no SSH login within ${VM_TIMEOUT}s"; }
say "booted and provisioned in $((SECONDS - booted))s under $accel ($((SECONDS - began))s in all)"
if [ "$state" != active ]; then
  vm 'sudo cat /var/log/lnm-firstboot.log; sudo systemctl status --no-pager lnm.service; sudo journalctl -b --no-pager -u lnm.service | tail -40' >&2 || true
  die "systemctl is-active lnm: $state"
fi
say "systemctl is-active lnm: $state"

# --- ClientHellos through the forwarded port ------------------------------------------------
hello() { # hello NAME N: the first N bytes lnm sends back (at most 10 s)
  timeout 10 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    bash "$2" "$3" >&3; head -c "$4" <&3' _ "$tls_port" "$top/appliance/tools/client-hello.sh" "$1" "$2" 2>/dev/null || true
}
answer=
for _ in $(seq 10); do
  answer=$(hello ssh.vm-test.invalid 21 | tr -d '\r\n')
  [ -n "$answer" ] && break
  sleep 3
done
case $answer in
  SSH-2.0-*) say "ClientHello for ssh.vm-test.invalid -> 127.0.0.1:$tls_port -> VM :443 -> lnm -> sshd: answered '$answer'" ;;
  *) vm 'sudo journalctl -b --no-pager -u lnm.service | tail -30' >&2 || true; die "no relayed answer to an allowlisted ClientHello (got '$answer')" ;;
esac
# a name not on the allowlist: lnm's fatal TLS alert access_denied (49), nothing relayed
denied=$(hello denied.vm-test.invalid 7 | od -An -tx1 | tr -d ' \n')
case $denied in
  1503??00020231) say "ClientHello for denied.vm-test.invalid: refused with TLS alert access_denied" ;;
  *) die "a name not on the allowlist got '$denied' back (expected a TLS access_denied alert)" ;;
esac
sleep 1
audit=$(vm 'sudo tail -n 5 /var/log/lnm/audit.jsonl')
echo "$audit" | grep -q '"decision": *"allow"' || die "no allow record in the audit log: $audit"
echo "$audit" | grep -q '"decision": *"deny"' || die "no deny record in the audit log: $audit"
say "audit log:"; echo "$audit" | sed 's/^/  /' >&2
fw=$(vm 'sudo nft list table inet lnm' | grep -c 'policy drop' || true)
[ "$fw" -ge 2 ] || die "nftables table inet lnm not loaded"
fwd=$(vm 'cat /proc/sys/net/ipv4/ip_forward')
[ "$fwd" = 0 ] || die "IP forwarding is on"
say "firewall loaded (input and forward policy drop), net.ipv4.ip_forward=0"
# DHCP: a lease on the outside NIC, only the static address on the plant NIC (qemu's DHCP
# server there would have offered 10.0.3.15), DHCP replies accepted from the outside only
addrs=$(vm 'ip -o addr show dev eth0; ip -o addr show dev eth1; ip route')
echo "$addrs" | grep -qE '^[0-9]+: eth0 +inet [0-9.]+/[0-9]+ .*dynamic' || die "no DHCP lease on eth0 (outside): $addrs"
echo "$addrs" | grep -qE "^[0-9]+: eth1 +inet $plant_addr/24 " || die "eth1 (plant) lacks its static $plant_addr: $addrs"
! echo "$addrs" | grep -E '^[0-9]+: eth1 .*dynamic' >/dev/null || die "eth1 (plant) ran DHCP or SLAAC: $addrs"
! echo "$addrs" | grep -E 'default .*dev eth1' >/dev/null || die "a default route through the plant NIC: $addrs"
dhcp_rules=$(vm 'sudo nft list chain inet lnm input' | grep -E 'sport (67|547)' || true)
[ -n "$dhcp_rules" ] && ! echo "$dhcp_rules" | grep -qv 'iifname "eth0"' ||
  die "DHCP replies accepted other than on eth0: $dhcp_rules"
say "DHCP on eth0 (outside) only: eth1 (plant) has just $plant_addr/24; nftables takes DHCP replies on eth0 only"
vm 'sudo systemctl poweroff' >/dev/null 2>&1 || true
for _ in $(seq 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 1; done
say "PASS"
