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
# Needs root (chroot, bind mounts of /dev /proc /sys) and the Debian mirror (MIRROR,
# default deb.debian.org). No loop devices or mounts of the disk: many build sandboxes
# have neither partition scanning nor udev.
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

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
[ -f "$tarball" ] || die "$tarball not found (make appliance)"
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
name=$(basename "$tarball" .tar.gz)   # lnm-<version>-linux-x64
version=${name#lnm-}; version=${version%-linux-x64}

need=()
for t in debootstrap:debootstrap qemu-img:qemu-utils sfdisk:fdisk mkfs.ext4:e2fsprogs numfmt:coreutils; do
  command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p "$out/cache"
out=$(cd "$out" && pwd)
work=$out/work
root=$work/rootfs
cleanup() {
  set +e
  for m in dev/pts dev proc sys; do mountpoint -q "$root/$m" && umount -l "$root/$m"; done
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


# --- root file system tree ---------------------------------------------------------------------
# Configured with chroot, then made into an ext4 image by mkfs.ext4 -d, behind an MBR whose
# GRUB boot code is written here (what grub-install would do on a block device).
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" --numeric-owner -xf "$base"
uuid=$(cat /proc/sys/kernel/random/uuid)
kver=$(ls -1 "$root/boot" | sed -n 's/^vmlinuz-//p' | sort -V | tail -1)
[ -n "$kver" ] || die "no kernel in the base system"

echo lnm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tlnm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
printf 'UUID=%s / ext4 errors=remount-ro,noatime 0 1\n' "$uuid" >"$root/etc/fstab"
cat >"$root/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb http://security.debian.org/debian-security $SUITE-security main
EOF
# DHCP on the outside NIC only: a DHCP server on the plant side must not choose this box's
# resolver (and so where `direct` names connect), nor its routes. The image's first NIC, eth0,
# is the outside one (Azure's primary NIC; qemu's first -nic); eth* names come from
# net.ifnames=0 below, so the ruleset's interface names are the same on every host. At first
# boot the VM's user-data rewrites this file for LNM_OUTSIDE_IF and gives the plant NIC its
# static address (image/cloud-init/user-data.yaml). NICs no .network file matches stay
# unconfigured: systemd-networkd has no catch-all.
cat >"$root/etc/systemd/network/80-lnm-outside.network" <<'EOF'
[Match]
Name=eth0

[Network]
DHCP=yes

[DHCPv4]
UseDomains=yes
EOF
install -d "$root/etc/cloud/cloud.cfg.d"
cp "$here/cloud-init/90-lnm-image.cfg" "$root/etc/cloud/cloud.cfg.d/90-lnm-image.cfg"
# Hyper-V (Azure) and virtio (KVM/qemu) storage and network drivers in the initramfs
printf '%s\n' hv_vmbus hv_storvsc hv_netvsc virtio_pci virtio_blk virtio_scsi virtio_net \
  >>"$root/etc/initramfs-tools/modules"
# Azure: serial console on ttyS0. No rootdelay= (Azure's generic advice): initramfs-tools
# sleeps that long unconditionally, and waits for root=UUID= by itself (up to 180 s).
cmdline="console=tty1 console=ttyS0,115200n8 earlyprintk=ttyS0,115200 net.ifnames=0"
# for update-grub when the VM later updates its kernel (on a real disk then)
cat >"$root/etc/default/grub" <<EOF
GRUB_DEFAULT=0
GRUB_TIMEOUT=1
GRUB_DISTRIBUTOR=lnm
GRUB_CMDLINE_LINUX="$cmdline"
GRUB_CMDLINE_LINUX_DEFAULT=""
GRUB_TERMINAL="console serial"
GRUB_SERIAL_COMMAND="serial --speed=115200"
GRUB_DISABLE_OS_PROBER=true
EOF
for m in dev dev/pts proc sys; do mount --bind "/$m" "$root/$m"; done
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }
in_root systemctl enable systemd-networkd systemd-resolved ssh >/dev/null 2>&1
in_root update-initramfs -u -k "$kver" >/dev/null 2>&1 || die "update-initramfs failed"
# root has no password; administrators come from cloud-init (Azure: --admin-username/--ssh-key).
in_root passwd -l root >/dev/null
# GRUB's core image reads /boot/grub from the first partition; its modules go next to it.
install -d "$root/boot/grub/i386-pc"
cp "$root"/usr/lib/grub/i386-pc/*.mod "$root"/usr/lib/grub/i386-pc/*.lst "$root/boot/grub/i386-pc/"
in_root grub-mkimage -O i386-pc -o /boot/grub/i386-pc/core.img -p '(hd0,msdos1)/boot/grub' \
  biosdisk part_msdos ext2 || die "grub-mkimage failed"
for m in sys proc dev/pts dev; do umount -l "$root/$m"; done
cat >"$root/boot/grub/grub.cfg" <<EOF
# written by lnm's image/build-disk.sh; update-grub on the running VM replaces it
serial --speed=115200 --unit=0
terminal_input console serial
terminal_output console serial
set timeout=1
set default=0
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root $uuid
menuentry 'lnm (Debian $SUITE, $kver)' {
    linux /boot/vmlinuz-$kver root=UUID=$uuid ro $cmdline
    initrd /boot/initrd.img-$kver
}
EOF
# first boot makes new SSH host keys (cloud-init) and a machine-id
rm -f "$root"/etc/ssh/ssh_host_*
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"

# --- the appliance ----------------------------------------------------------------------------
install -d -m 0755 "$root/opt/lnm-dist"
install -m 0644 "$tarball" "$root/opt/lnm-dist/"
tar -C "$root/opt/lnm-dist" -xzf "$tarball"
"$root/opt/lnm-dist/$name/appliance/install.sh" --destdir "$root" --harden >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; die "install.sh failed"; }
rm -rf "${root:?}/opt/lnm-dist/$name" # the tarball is what cloud-init installs from
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/log/*.log

# --- disk: MBR, one bootable ext4 partition from 1 MiB, GRUB in the gap before it -------------
raw=$out/lnm-$version.raw
size=$(numfmt --from=iec "$DISK_SIZE")
size=$((size / 1048576 * 1048576)) # Azure: a whole number of MiB
rm -f "$raw" "$work/root.ext4"
mkfs.ext4 -q -L lnm-root -U "$uuid" -d "$root" "$work/root.ext4" "$(((size - 1048576) / 1024))k" >/dev/null ||
  die "mkfs.ext4 -d failed"
truncate -s "$size" "$raw"
printf 'label: dos\nlabel-id: 0x6c6e6d31\nstart=2048, type=83, bootable\n' | sfdisk -q "$raw"
dd if="$work/root.ext4" of="$raw" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/root.ext4"
# What grub-bios-setup does: boot.img's code (first 440 bytes) in the MBR, the partition
# table kept, pointing at core.img in sectors 1..; core.img's first sector (diskboot.img)
# holds the list of sectors of the rest of it.
core=$root/boot/grub/i386-pc/core.img
core_sectors=$((($(stat -c %s "$core") + 511) / 512))
[ "$core_sectors" -lt 2047 ] || die "core.img does not fit before the partition"
le() { # le VALUE NBYTES: VALUE as little-endian bytes
  local v=$1 i
  for ((i = 0; i < $2; i++)); do
    printf '%b' "\\x$(printf %02x $((v & 255)))"
    v=$((v >> 8))
  done
}
put() { dd of="$1" bs=1 seek="$2" conv=notrunc status=none; } # put FILE OFFSET < BYTES
cp "$root/usr/lib/grub/i386-pc/boot.img" "$work/boot.img"
le 1 8 | put "$work/boot.img" $((0x5c))          # GRUB_BOOT_MACHINE_KERNEL_SECTOR: core.img at LBA 1
printf '\x90\x90' | put "$work/boot.img" $((0x66)) # GRUB_BOOT_MACHINE_DRIVE_CHECK: a hard disk, no floppy probe
dd if="$work/boot.img" of="$raw" bs=440 count=1 conv=notrunc status=none
cp "$core" "$work/core.img"
le 2 8 | put "$work/core.img" $((0x1f4))                     # rest of core.img: from LBA 2,
le $((core_sectors - 1)) 2 | put "$work/core.img" $((0x1fc)) # this many sectors,
le $((0x820)) 2 | put "$work/core.img" $((0x1fe))            # loaded at segment 0x820
dd if="$work/core.img" of="$raw" bs=512 seek=1 conv=notrunc status=none
rm -rf "$root" "$work/boot.img" "$work/core.img"

say "converting"
qemu-img convert -f raw -O qcow2 -c "$raw" "$out/lnm-$version.qcow2"
qemu-img convert -f raw -O vpc -o subformat=fixed,force_size=on "$raw" "$out/lnm-$version.vhd"
say "$out: $(cd "$out" && ls -s --block-size=M lnm-"$version".* | tr '\n' ' ')"
