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
# Network traffic: qemu's user-mode network, forwarded to 127.0.0.1 only.
# VM_TIMEOUT (seconds, default 1200) bounds the wait for the VM.
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
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
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
bash "$here/make-custom-data.sh" --config-dir "$run/conf" --plant-if eth0 --outside-if eth0 \
  --admin lnmtest --ssh-key "$run/key.pub" >"$run/user-data"
printf 'instance-id: lnm-vm-test-%s\nlocal-hostname: lnm-vm-test\n' "$(date +%s)" >"$run/meta-data"
mkfs.vfat -n CIDATA -C "$run/seed.img" 2048 >/dev/null
mcopy -i "$run/seed.img" "$run/user-data" "$run/meta-data" ::

# --- boot -----------------------------------------------------------------------------------
qemu-img create -q -f qcow2 -F qcow2 -b "$disk" "$run/disk.qcow2"
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((10000 + RANDOM % ($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 10000))) # below the ephemeral range: a connect() there cannot self-connect
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}
ssh_port=$(free_port); tls_port=$(free_port)
accel=tcg
[ -w /dev/kvm ] && accel=kvm
say "booting $(basename "$disk") (accel=$accel; ssh on 127.0.0.1:$ssh_port, lnm :443 on 127.0.0.1:$tls_port)"
qemu-system-x86_64 -machine "pc,accel=$accel" -smp 2 -m 1536 \
  -drive "file=$run/disk.qcow2,if=virtio,format=qcow2" \
  -drive "file=$run/seed.img,if=virtio,format=raw" \
  -nic "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:$ssh_port-:22,hostfwd=tcp:127.0.0.1:$tls_port-:443" \
  -display none -serial "file:$run/console.log" -monitor none \
  -pidfile "$run/qemu.pid" -daemonize
qemu_pid=$(cat "$run/qemu.pid")
cleanup() { kill "$qemu_pid" 2>/dev/null || true; }
trap cleanup EXIT

vm() {
  ssh -q -i "$run/key" -p "$ssh_port" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
    -o ConnectTimeout=20 -o BatchMode=yes lnmtest@127.0.0.1 "$@"
}
start=$SECONDS
state=
while [ $((SECONDS - start)) -lt "$VM_TIMEOUT" ]; do
  kill -0 "$qemu_pid" 2>/dev/null || { tail -40 "$run/console.log" >&2; die "qemu exited"; }
  if state=$(vm 'cloud-init status --wait >/dev/null 2>&1; systemctl is-active lnm.service' 2>/dev/null); then
    break
  fi
  sleep 10
done
[ -n "$state" ] || { tail -60 "$run/console.log" >&2; die "no SSH login within ${VM_TIMEOUT}s"; }
say "booted and provisioned in $((SECONDS - start))s"
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
vm 'sudo systemctl poweroff' >/dev/null 2>&1 || true
for _ in $(seq 60); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 1; done
say "PASS"
