#!/usr/bin/env bash
# Builds a bootable Debian 12 disk image with the lnm appliance installed, for an Azure
# Linux VM (generation 1, BIOS boot) or any KVM/qemu host:
#
#   image/build-disk.sh TARBALL OUTDIR
#
#   OUTDIR/lnm-<version>.raw     the disk (MBR, one ext4 partition, GRUB)
#   OUTDIR/lnm-<version>.qcow2   the same for qemu/KVM
#   OUTDIR/lnm-<version>.vhd     fixed-size VHD, size a whole number of MiB (what Azure takes)
#
# Made from Debian's packages only: debootstrap, the cloud kernel (Hyper-V and virtio
# drivers), systemd, cloud-init (Azure and NoCloud data sources), nftables, OpenSSH.
# The appliance is installed (appliance/install.sh --harden) but not enabled: the VM's
# cloud-init user-data (image/cloud-init/user-data.yaml, Azure custom data) writes its
# configuration, reinstalls from the tarball kept in /opt/lnm-dist with the VM's interfaces,
# and enables the firewall and lnm. A VM without that user-data runs nothing of lnm.
#
# Needs root, loop devices, and the Debian mirror (MIRROR, default deb.debian.org).
# The debootstrapped system is cached in OUTDIR/cache (delete it to rebuild from scratch).
# DISK_SIZE (default 2G) is the disk size; Azure grows the partition on first boot
# (cloud-init growpart) when the VM's disk is bigger.
set -euo pipefail

tarball=${1:?usage: build-disk.sh TARBALL OUTDIR}
out=${2:?usage: build-disk.sh TARBALL OUTDIR}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=${SUITE:-bookworm}
DISK_SIZE=${DISK_SIZE:-2G}
here=$(cd "$(dirname "$0")" && pwd)
say() { echo "build-disk: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, loop devices, chroot)"
[ -f "$tarball" ] || die "$tarball not found (make appliance)"
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
name=$(basename "$tarball" .tar.gz)   # lnm-<version>-linux-x64
version=${name#lnm-}; version=${version%-linux-x64}

need=()
for t in debootstrap:debootstrap qemu-img:qemu-utils sfdisk:fdisk mkfs.ext4:e2fsprogs losetup:mount; do
  command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$out/cache"
out=$(cd "$out" && pwd)
work=$out/work
mnt=$work/mnt
loop=
cleanup() {
  set +e
  for m in dev/pts dev proc sys run; do mountpoint -q "$mnt/$m" && umount -l "$mnt/$m"; done
  mountpoint -q "$mnt" && umount "$mnt"
  [ -z "$loop" ] || losetup -d "$loop"
}
trap cleanup EXIT

# --- base system (cached) ---------------------------------------------------------------------
packages=(
  systemd-sysv udev dbus linux-image-cloud-amd64 grub-pc initramfs-tools
  cloud-init cloud-guest-utils netbase iproute2 systemd-resolved systemd-timesyncd
  nftables logrotate openssh-server sudo ca-certificates less
)
key=$(printf '%s\n' "$SUITE" "$MIRROR" "${packages[@]}" | sha256sum | cut -c1-12)
base=$out/cache/base-$SUITE-$key.tar
if [ ! -f "$base" ]; then
  # Two steps: debootstrap makes a minimal system, then the system's own apt installs the
  # packages (debootstrap's resolver does not follow virtual packages, which cloud-init's
  # dependencies use). Downloaded packages are kept in OUTDIR/cache/debs for the next build.
  say "debootstrap $SUITE from $MIRROR (a few minutes)"
  b=$work/base
  rm -rf "$b"
  mkdir -p "$b" "$out/cache/debs"
  debootstrap --variant=minbase --cache-dir="$out/cache/debs" "$SUITE" "$b" "$MIRROR" \
    >"$work/debootstrap.log" 2>&1 ||
    { tail -30 "$work/debootstrap.log" >&2; die "debootstrap failed (log: $work/debootstrap.log)"; }
  printf 'deb %s %s main\ndeb %s %s-updates main\n' "$MIRROR" "$SUITE" "$MIRROR" "$SUITE" >"$b/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$b/usr/sbin/policy-rc.d" # start no services in the chroot
  chmod 0755 "$b/usr/sbin/policy-rc.d"
  for m in dev dev/pts proc sys; do mount --bind "/$m" "$b/$m"; done
  mount --bind "$out/cache/debs" "$b/var/cache/apt/archives"
  say "installing ${#packages[@]} packages with apt"
  rc=0
  chroot "$b" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"' _ "${packages[@]}" \
    >>"$work/debootstrap.log" 2>&1 || rc=$?
  for m in var/cache/apt/archives sys proc dev/pts dev; do umount -l "$b/$m"; done
  [ "$rc" -eq 0 ] || { tail -30 "$work/debootstrap.log" >&2; die "apt-get install failed (log: $work/debootstrap.log)"; }
  rm -f "$b/usr/sbin/policy-rc.d"
  rm -rf "$b"/var/lib/apt/lists/*
  tar -C "$b" --numeric-owner -cf "$base.tmp" .
  mv "$base.tmp" "$base"
  rm -rf "$b"
fi

# --- disk: MBR, one bootable ext4 partition from 1 MiB ---------------------------------------
raw=$out/lnm-$version.raw
rm -f "$raw"
truncate -s "$DISK_SIZE" "$raw"
echo 'label: dos
start=2048, type=83, bootable' | sfdisk -q "$raw"
loop=$(losetup --show -f -P "$raw")
part=${loop}p1
for _ in $(seq 50); do [ -b "$part" ] && break; sleep 0.1; done
[ -b "$part" ] || die "no partition device $part (loop devices without partition scanning?)"
mkfs.ext4 -q -L lnm-root "$part"
uuid=$(blkid -s UUID -o value "$part")
mkdir -p "$mnt"
mount "$part" "$mnt"
tar -C "$mnt" --numeric-owner -xf "$base"

# --- system configuration ---------------------------------------------------------------------
echo lnm >"$mnt/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlnm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$mnt/etc/hosts"
printf 'UUID=%s / ext4 errors=remount-ro,noatime 0 1\n' "$uuid" >"$mnt/etc/fstab"
cat >"$mnt/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://security.debian.org/debian-security $SUITE-security main
EOF
# DHCP on every NIC (Azure and qemu both hand out addresses with DHCP); eth* names
# (net.ifnames=0 below) so the ruleset's interface names are the same on every host.
cat >"$mnt/etc/systemd/network/80-dhcp.network" <<'EOF'
[Match]
Name=eth* en*

[Network]
DHCP=yes

[DHCPv4]
UseDomains=yes
EOF
install -d "$mnt/etc/cloud/cloud.cfg.d"
cp "$here/cloud-init/90-lnm-image.cfg" "$mnt/etc/cloud/cloud.cfg.d/90-lnm-image.cfg"
cat >"$mnt/etc/default/grub" <<'EOF'
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_TIMEOUT_STYLE=menu
GRUB_DISTRIBUTOR=lnm
# Azure: serial console on ttyS0 and a generous wait for the root disk.
GRUB_CMDLINE_LINUX="console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0 rootdelay=300 net.ifnames=0"
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
GRUB_DISABLE_OS_PROBER=true
EOF
for m in dev dev/pts proc sys run; do mkdir -p "$mnt/$m"; mount --bind "/$m" "$mnt/$m"; done
in_root() { chroot "$mnt" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
in_root systemctl enable systemd-networkd systemd-resolved ssh >/dev/null 2>&1
in_root ln -sf /run/systemd/resolve/stub-resolv.conf /etc/resolv.conf
# root has no password (console login disabled); administrators come from cloud-init.
in_root passwd -l root >/dev/null
in_root grub-install --target=i386-pc "$loop" >/dev/null 2>&1 || die "grub-install failed"
in_root update-grub >/dev/null 2>&1 || die "update-grub failed"
# update-grub names the loop device's partition only by UUID; check it did.
grep -q "root=UUID=$uuid" "$mnt/boot/grub/grub.cfg" || die "grub.cfg does not boot root=UUID=$uuid"
# first boot generates new SSH host keys and machine-id
rm -f "$mnt"/etc/ssh/ssh_host_*
: >"$mnt/etc/machine-id"
rm -f "$mnt/var/lib/dbus/machine-id"

# --- the appliance ----------------------------------------------------------------------------
install -d -m 0755 "$mnt/opt/lnm-dist"
install -m 0644 "$tarball" "$mnt/opt/lnm-dist/"
tar -C "$mnt/opt/lnm-dist" -xzf "$tarball"
"$mnt/opt/lnm-dist/$name/appliance/install.sh" --destdir "$mnt" --harden >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; die "install.sh failed"; }
rm -rf "$mnt/opt/lnm-dist/$name" # the tarball is what cloud-init installs from

in_root apt-get clean
rm -rf "$mnt"/var/lib/apt/lists/* "$mnt"/tmp/* "$mnt"/var/log/*.log
for m in dev/pts dev proc sys run; do umount -l "$mnt/$m"; done
umount "$mnt"
e2fsck -fyq "$part" >/dev/null 2>&1 || true
losetup -d "$loop"
loop=

say "converting"
qemu-img convert -f raw -O qcow2 -c "$raw" "$out/lnm-$version.qcow2"
qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$raw" "$out/lnm-$version.vhd"
say "$out: $(cd "$out" && ls -s --block-size=M lnm-"$version".* | tr '\n' ' ')"
